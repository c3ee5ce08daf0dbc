/** The labels of the exception-procedure form (PDF) in German. */
import type { Texts } from '../../../../shared/text/format.js';
import type { RequestFormKey } from './index.js';

export const de: Texts<RequestFormKey> = {
  title: 'Bestellung eines Hauptzugriffsverwalters – Ausnahmeverfahren',
  ticket: 'Ticketnummer',
  intro: 'Dieses Dokument muss von einem gesetzlichen Vertreter des Unternehmens unterschrieben werden, wie er in der Zentralen Datenbank der Unternehmen bekannt ist.',
  enterprise: 'Unternehmen',
  enterpriseNumber: 'Unternehmensnummer',
  address: 'Adresse',
  enterpriseEmail: 'E-Mail-Adresse des Hauptzugriffsverwalters (für alle Mitteilungen)',
  requester: 'Gesetzlicher Vertreter (Antragsteller)',
  htb: 'Hauptzugriffsverwalter',
  htbIsRequester: 'Der Antragsteller bestellt sich selbst als Hauptzugriffsverwalter.',
  nationalNumber: 'Nationalregisternummer',
  name: 'Name',
  email: 'E-Mail-Adresse',
  phone: 'Telefonnummer',
  statement: 'Ich bestätige, dass diese Angaben richtig und vollständig sind.',
  signature: 'Name, Datum und Unterschrift des gesetzlichen Vertreters',
  returnTo: 'Senden Sie dieses Dokument unterschrieben zurück und geben Sie immer die Ticketnummer an.',
};
