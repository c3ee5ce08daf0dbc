/**
 * The wrong-card scenario, played the same way in each browser: the dialog
 * shows the test card's certificate and the person types its PIN; meanwhile
 * the card is taken out and another person's card goes into the other reader;
 * the person presses Enter at the moment the dialog is reading the readers
 * again, so the dialog still shows the first card when the submit leaves it.
 */
import { insertHeldCard, OTHER_VPCD_PORT, type TestCard } from './card.js';
import { waitForProblem, type DriverPage } from './dialog-driver.js';

/** The other card's PIN differs from the test card's: a PIN reaching it would spend one of its tries. */
const OTHER_CARD_PIN = '1234';
const VERIFY = 0x20;

export interface CardSwapOutcome {
  /** The dialog's message after the submit. */
  problem: string;
  /** The dialog shows the other card's certificate after its look at the readers. */
  showsOtherCard: boolean;
  /** VERIFY commands carrying a PIN that reached the other card. */
  pinsSentToOtherCard: number;
  otherCardTriesLeft: number;
}

/** What the person must get: the dialog asks for the right card, and the other card never saw the PIN. */
export const NO_PIN_TO_THE_OTHER_CARD: CardSwapOutcome = {
  problem: 'The requested certificate is not on the card in the reader. Insert the right card.',
  showsOtherCard: true,
  pinsSentToOtherCard: 0,
  otherCardTriesLeft: 3,
};

function shows(dialog: DriverPage, certificate: string): Promise<boolean> {
  return dialog.evaluate(new Function(`return document.querySelector('[data-certificate="${certificate}"]') !== null;`) as () => boolean);
}

/** Plays the scenario in an open authentication dialog; the test card is back in its reader when this returns. */
export async function swapCardWhileTypingPin(dialog: DriverPage, card: TestCard, pin: string): Promise<CardSwapOutcome> {
  await dialog.waitForSelector('#pin:not([disabled])', { timeout: 15_000 });
  await dialog.type('#pin', pin);
  // Swap just after the dialog looked at the readers, so its next look finds the other card and no empty reader.
  await new Promise<void>((resolve) => {
    const lookedAtReaders = () => {
      card.card.onTransmit = undefined;
      setTimeout(resolve, 500);
    };
    card.card.onTransmit = lookedAtReaders;
    setTimeout(lookedAtReaders, 6000); // it looks every 4 s
  });
  await card.takeOut();
  const other = await insertHeldCard({
    vpcdPort: OTHER_VPCD_PORT,
    pin: OTHER_CARD_PIN,
    person: { givenNames: 'Jan Pieter Willem', surname: 'de Vries', nationalNumber: '90051212384' },
  });
  try {
    await other.firstCommandHeld;
    if (!(await shows(dialog, card.authenticationCertificate))) throw new Error('the dialog no longer showed the first card when the person pressed Enter');
    await dialog.focus('#pin');
    await dialog.keyboard.press('Enter');
    // The dialog empties the PIN field once it has sent the submit.
    const pinValue = () => dialog.evaluate(() => document.querySelector<HTMLInputElement>('#pin')?.value);
    for (let waited = 0; (await pinValue()) !== ''; waited += 100) {
      if (waited > 5000) throw new Error('the dialog did not send the submit');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    other.release();
    const problem = await waitForProblem(dialog);
    return {
      problem,
      showsOtherCard: await shows(dialog, other.authenticationCertificate),
      pinsSentToOtherCard: other.commands.filter((apdu) => apdu[1] === VERIFY && apdu.length > 5).length,
      otherCardTriesLeft: other.card.pinTriesLeft(),
    };
  } finally {
    other.release();
    await other.close();
    await card.putBack();
  }
}
