/**
 * Words shown to people, in Dutch, French, German and English. The Dutch
 * follows the wording of the Belgian government's own guides ("Aanmelden met
 * eID", "Geef uw pincode in"); the others say the same in the same plain style.
 */
import type { ErrorCode } from '../../shared/errors.js';

export const LANGUAGES = ['nl', 'fr', 'de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LANGUAGE_NAMES: Record<Language, string> = { nl: 'Nederlands', fr: 'Français', de: 'Deutsch', en: 'English' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language to use: the person's setting, else the page's request (Web eID
 * `options.lang`), else the browser's language, else English.
 */
export function resolveLanguage(setting: string, pageLanguage: unknown, uiLanguage: string): Language {
  if (isLanguage(setting)) return setting;
  const page = typeof pageLanguage === 'string' ? pageLanguage.slice(0, 2).toLowerCase() : undefined;
  if (isLanguage(page)) return page;
  const ui = uiLanguage.slice(0, 2).toLowerCase();
  return isLanguage(ui) ? ui : 'en';
}

const nl = {
  'title.authenticate': 'Aanmelden met eID',
  'title.sign': 'Ondertekenen met eID',
  'title.get-signing-certificate': 'Handtekeningcertificaat delen',
  'title.read-identity': 'Identiteitsgegevens delen',
  'origin.label': 'Deze website vraagt het',
  'origin.government': 'Gekende overheidswebsite',
  'origin.warning': 'Let op: dit is geen gekende overheidswebsite. Ga alleen verder als u deze website vertrouwt.',
  'cert.heading': 'Certificaat',
  'cert.choose': 'Selecteer uw certificaat',
  'cert.subject': 'Uitgegeven aan',
  'cert.issuer': 'Uitgegeven door',
  'cert.serial': 'Serienummer',
  'cert.validity': 'Geldig van {from} tot {to}',
  'cert.token': 'Kaart',
  'pin.label': 'Geef uw pincode in',
  'pin.help': 'Uw pincode bestaat uit 4 tot 12 cijfers.',
  'pin.invalid': 'Een pincode bestaat uit 4 tot 12 cijfers.',
  'pin.incorrect': 'Verkeerde pincode. U hebt nog {n} poging(en).',
  'pin.incorrectLast': 'Verkeerde pincode. Let op: u hebt nog maar één poging. Daarna wordt uw kaart geblokkeerd.',
  'pin.incorrectUnknown': 'Verkeerde pincode. Probeer opnieuw.',
  'pin.triesLeft': 'Nog {n} poging(en) voor uw pincode geblokkeerd wordt.',
  'pinpad.prompt': 'Geef uw pincode in op de kaartlezer.',
  'pinpad.now': 'Geef nu uw pincode in op de kaartlezer en bevestig op de lezer.',
  'blocked.title': 'Uw pincode is geblokkeerd',
  'blocked.text':
    'Uw pincode werd te vaak verkeerd ingegeven. Ga met uw identiteitskaart naar het gemeentehuis om ze te laten deblokkeren of een nieuwe pincode aan te vragen.',
  'consent.authenticate': 'Door uw pincode in te geven, meldt u zich met uw identiteitskaart aan bij deze website.',
  'consent.sign': 'Door uw pincode in te geven, ondertekent u het document met deze vingerafdruk:',
  'consent.certificate':
    'Deze website vraagt uw handtekeningcertificaat om een document te laten ondertekenen. Het certificaat bevat uw naam en uw rijksregisternummer.',
  'consent.identity': 'Deze website vraagt de volgende gegevens van uw identiteitskaart:',
  'sign.hash': 'Vingerafdruk (hash)',
  'sign.algorithm': 'Algoritme',
  'identity.name': 'Naam en voornamen',
  'identity.nationalNumber': 'Rijksregisternummer',
  'identity.birth': 'Geboortedatum en -plaats',
  'identity.nationality': 'Nationaliteit',
  'identity.sex': 'Geslacht',
  'identity.card': 'Kaartnummer en geldigheid van de kaart',
  'identity.address': 'Adres',
  'identity.photo': 'Ook mijn pasfoto delen',
  'button.authenticate': 'Aanmelden',
  'button.sign': 'Ondertekenen',
  'button.share': 'Delen',
  'button.continue': 'Doorgaan',
  'button.cancel': 'Annuleren',
  'button.retry': 'Opnieuw proberen',
  'button.close': 'Sluiten',
  busy: 'Even geduld, uw kaart wordt gelezen…',
  language: 'Taal',
} as const;

export type MessageKey = keyof typeof nl;

const fr: Record<MessageKey, string> = {
  'title.authenticate': "Se connecter avec l'eID",
  'title.sign': "Signer avec l'eID",
  'title.get-signing-certificate': 'Partager le certificat de signature',
  'title.read-identity': "Partager vos données d'identité",
  'origin.label': 'Ce site le demande',
  'origin.government': 'Site public connu',
  'origin.warning': "Attention : ce n'est pas un site public connu. Ne continuez que si vous faites confiance à ce site.",
  'cert.heading': 'Certificat',
  'cert.choose': 'Sélectionnez votre certificat',
  'cert.subject': 'Délivré à',
  'cert.issuer': 'Délivré par',
  'cert.serial': 'Numéro de série',
  'cert.validity': 'Valable du {from} au {to}',
  'cert.token': 'Carte',
  'pin.label': 'Introduisez votre code PIN',
  'pin.help': 'Votre code PIN compte 4 à 12 chiffres.',
  'pin.invalid': 'Un code PIN compte 4 à 12 chiffres.',
  'pin.incorrect': 'Code PIN incorrect. Il vous reste {n} essai(s).',
  'pin.incorrectLast': 'Code PIN incorrect. Attention : il ne vous reste qu’un essai. Ensuite, votre carte sera bloquée.',
  'pin.incorrectUnknown': 'Code PIN incorrect. Veuillez réessayer.',
  'pin.triesLeft': 'Encore {n} essai(s) avant le blocage de votre code PIN.',
  'pinpad.prompt': 'Introduisez votre code PIN sur le lecteur de carte.',
  'pinpad.now': 'Introduisez maintenant votre code PIN sur le lecteur de carte et confirmez sur le lecteur.',
  'blocked.title': 'Votre code PIN est bloqué',
  'blocked.text':
    "Votre code PIN a été introduit trop souvent de manière incorrecte. Rendez-vous à l'administration communale avec votre carte d'identité pour la faire débloquer ou demander un nouveau code PIN.",
  'consent.authenticate': "En introduisant votre code PIN, vous vous connectez à ce site avec votre carte d'identité.",
  'consent.sign': 'En introduisant votre code PIN, vous signez le document ayant cette empreinte :',
  'consent.certificate':
    'Ce site demande votre certificat de signature pour faire signer un document. Le certificat contient votre nom et votre numéro de registre national.',
  'consent.identity': "Ce site demande les données suivantes de votre carte d'identité :",
  'sign.hash': 'Empreinte (hash)',
  'sign.algorithm': 'Algorithme',
  'identity.name': 'Nom et prénoms',
  'identity.nationalNumber': 'Numéro de registre national',
  'identity.birth': 'Date et lieu de naissance',
  'identity.nationality': 'Nationalité',
  'identity.sex': 'Sexe',
  'identity.card': 'Numéro et validité de la carte',
  'identity.address': 'Adresse',
  'identity.photo': "Partager aussi ma photo d'identité",
  'button.authenticate': 'Se connecter',
  'button.sign': 'Signer',
  'button.share': 'Partager',
  'button.continue': 'Continuer',
  'button.cancel': 'Annuler',
  'button.retry': 'Réessayer',
  'button.close': 'Fermer',
  busy: 'Veuillez patienter, lecture de votre carte…',
  language: 'Langue',
};

const de: Record<MessageKey, string> = {
  'title.authenticate': 'Mit eID anmelden',
  'title.sign': 'Mit eID unterschreiben',
  'title.get-signing-certificate': 'Signaturzertifikat teilen',
  'title.read-identity': 'Ausweisdaten teilen',
  'origin.label': 'Diese Website fragt',
  'origin.government': 'Bekannte Behördenwebsite',
  'origin.warning': 'Achtung: Dies ist keine bekannte Behördenwebsite. Fahren Sie nur fort, wenn Sie dieser Website vertrauen.',
  'cert.heading': 'Zertifikat',
  'cert.choose': 'Wählen Sie Ihr Zertifikat',
  'cert.subject': 'Ausgestellt für',
  'cert.issuer': 'Ausgestellt von',
  'cert.serial': 'Seriennummer',
  'cert.validity': 'Gültig vom {from} bis {to}',
  'cert.token': 'Karte',
  'pin.label': 'Geben Sie Ihre PIN ein',
  'pin.help': 'Ihre PIN besteht aus 4 bis 12 Ziffern.',
  'pin.invalid': 'Eine PIN besteht aus 4 bis 12 Ziffern.',
  'pin.incorrect': 'Falsche PIN. Sie haben noch {n} Versuch(e).',
  'pin.incorrectLast': 'Falsche PIN. Achtung: Sie haben nur noch einen Versuch. Danach wird Ihre Karte gesperrt.',
  'pin.incorrectUnknown': 'Falsche PIN. Bitte versuchen Sie es erneut.',
  'pin.triesLeft': 'Noch {n} Versuch(e), bevor Ihre PIN gesperrt wird.',
  'pinpad.prompt': 'Geben Sie Ihre PIN am Kartenleser ein.',
  'pinpad.now': 'Geben Sie jetzt Ihre PIN am Kartenleser ein und bestätigen Sie am Leser.',
  'blocked.title': 'Ihre PIN ist gesperrt',
  'blocked.text':
    'Ihre PIN wurde zu oft falsch eingegeben. Gehen Sie mit Ihrem Personalausweis zur Gemeindeverwaltung, um ihn entsperren zu lassen oder eine neue PIN zu beantragen.',
  'consent.authenticate': 'Mit Ihrer PIN melden Sie sich mit Ihrem Personalausweis bei dieser Website an.',
  'consent.sign': 'Mit Ihrer PIN unterschreiben Sie das Dokument mit diesem Fingerabdruck:',
  'consent.certificate':
    'Diese Website fragt nach Ihrem Signaturzertifikat, um ein Dokument unterschreiben zu lassen. Das Zertifikat enthält Ihren Namen und Ihre Nationalregisternummer.',
  'consent.identity': 'Diese Website fragt die folgenden Daten Ihres Personalausweises:',
  'sign.hash': 'Fingerabdruck (Hash)',
  'sign.algorithm': 'Algorithmus',
  'identity.name': 'Name und Vornamen',
  'identity.nationalNumber': 'Nationalregisternummer',
  'identity.birth': 'Geburtsdatum und -ort',
  'identity.nationality': 'Staatsangehörigkeit',
  'identity.sex': 'Geschlecht',
  'identity.card': 'Kartennummer und Gültigkeit der Karte',
  'identity.address': 'Adresse',
  'identity.photo': 'Auch mein Passfoto teilen',
  'button.authenticate': 'Anmelden',
  'button.sign': 'Unterschreiben',
  'button.share': 'Teilen',
  'button.continue': 'Weiter',
  'button.cancel': 'Abbrechen',
  'button.retry': 'Erneut versuchen',
  'button.close': 'Schließen',
  busy: 'Bitte warten, Ihre Karte wird gelesen …',
  language: 'Sprache',
};

const en: Record<MessageKey, string> = {
  'title.authenticate': 'Log in with eID',
  'title.sign': 'Sign with eID',
  'title.get-signing-certificate': 'Share your signing certificate',
  'title.read-identity': 'Share your identity data',
  'origin.label': 'This website asks',
  'origin.government': 'Known government website',
  'origin.warning': 'Warning: this is not a known government website. Continue only if you trust this website.',
  'cert.heading': 'Certificate',
  'cert.choose': 'Select your certificate',
  'cert.subject': 'Issued to',
  'cert.issuer': 'Issued by',
  'cert.serial': 'Serial number',
  'cert.validity': 'Valid from {from} to {to}',
  'cert.token': 'Card',
  'pin.label': 'Enter your PIN',
  'pin.help': 'Your PIN has 4 to 12 digits.',
  'pin.invalid': 'A PIN has 4 to 12 digits.',
  'pin.incorrect': 'Wrong PIN. You have {n} tries left.',
  'pin.incorrectLast': 'Wrong PIN. Careful: you have only one try left. After that your card is blocked.',
  'pin.incorrectUnknown': 'Wrong PIN. Please try again.',
  'pin.triesLeft': '{n} tries left before your PIN is blocked.',
  'pinpad.prompt': 'Enter your PIN on the card reader.',
  'pinpad.now': 'Enter your PIN on the card reader now and confirm on the reader.',
  'blocked.title': 'Your PIN is blocked',
  'blocked.text':
    'Your PIN was entered wrongly too many times. Take your identity card to your municipality (town hall) to have it unblocked or to ask for a new PIN.',
  'consent.authenticate': 'By entering your PIN you log in to this website with your identity card.',
  'consent.sign': 'By entering your PIN you sign the document with this fingerprint:',
  'consent.certificate':
    'This website asks for your signing certificate so you can sign a document. The certificate contains your name and your national register number.',
  'consent.identity': 'This website asks for the following data from your identity card:',
  'sign.hash': 'Fingerprint (hash)',
  'sign.algorithm': 'Algorithm',
  'identity.name': 'Surname and first names',
  'identity.nationalNumber': 'National register number',
  'identity.birth': 'Date and place of birth',
  'identity.nationality': 'Nationality',
  'identity.sex': 'Sex',
  'identity.card': 'Card number and card validity',
  'identity.address': 'Address',
  'identity.photo': 'Also share my photo',
  'button.authenticate': 'Log in',
  'button.sign': 'Sign',
  'button.share': 'Share',
  'button.continue': 'Continue',
  'button.cancel': 'Cancel',
  'button.retry': 'Try again',
  'button.close': 'Close',
  busy: 'Please wait, reading your card…',
  language: 'Language',
};

const MESSAGES: Record<Language, Record<MessageKey, string>> = { nl, fr, de, en };

export function t(language: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = MESSAGES[language][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** What went wrong and what to do next, for every error a person can meet. */
const ERROR_TEXTS: Record<Language, Partial<Record<ErrorCode, string>> & { default: string }> = {
  nl: {
    NATIVE_UNAVAILABLE: 'Het eID Bridge-programma is niet geïnstalleerd op deze computer. Installeer eID Bridge en probeer opnieuw.',
    VERSION_MISMATCH: 'De extensie en het eID Bridge-programma hebben een verschillende versie. Werk eID Bridge bij.',
    VERSION_INVALID: 'Het eID Bridge-programma antwoordt niet zoals verwacht. Installeer eID Bridge opnieuw.',
    HOST_DISCONNECTED: 'Het eID Bridge-programma is onverwacht gestopt. Probeer opnieuw.',
    PCSC_UNAVAILABLE: 'De kaartlezerdienst van uw computer draait niet. Herstart uw computer en probeer opnieuw.',
    PKCS11_MODULE_MISSING: 'De eID-software (middleware) is niet gevonden. Installeer de eID-software en probeer opnieuw.',
    NO_READER: 'Er is geen kaartlezer gevonden. Sluit uw kaartlezer aan.',
    READER_REMOVED: 'De kaartlezer werd losgekoppeld. Sluit uw kaartlezer opnieuw aan.',
    NO_CARD: 'Steek uw identiteitskaart in de kaartlezer.',
    CARD_REMOVED: 'De kaart werd uit de lezer gehaald. Steek uw identiteitskaart opnieuw in de kaartlezer.',
    UNSUPPORTED_CARD: 'Deze kaart wordt niet herkend. Steek uw Belgische identiteitskaart in de kaartlezer.',
    CARD_ERROR: 'Uw kaart kon niet gelezen worden. Haal de kaart uit de lezer, steek ze opnieuw in en probeer opnieuw.',
    CERTIFICATE_NOT_FOUND: 'Het gevraagde certificaat staat niet op de kaart in de lezer. Steek de juiste kaart in.',
    NO_SIGNING_CERTIFICATE: 'Deze kaart heeft geen handtekeningcertificaat (bijvoorbeeld een Kids-ID).',
    PIN_BLOCKED: 'Uw pincode is geblokkeerd. Ga met uw identiteitskaart naar het gemeentehuis.',
    PIN_FORMAT: 'Een pincode bestaat uit 4 tot 12 cijfers.',
    PIN_PAD_TIMEOUT: 'De pincode werd niet op tijd op de kaartlezer ingegeven. Probeer opnieuw.',
    USER_TIMEOUT: 'De tijd om te antwoorden is verstreken. Probeer opnieuw.',
    USER_CANCELLED: 'U hebt geannuleerd.',
    CONTEXT_INSECURE: 'Deze website gebruikt geen beveiligde verbinding (https).',
    ORIGIN_NOT_ALLOWED: 'Deze website mag deze functie niet gebruiken.',
    TIMEOUT: 'Het eID Bridge-programma antwoordde niet op tijd. Probeer opnieuw.',
    default: 'Er ging iets mis. Probeer opnieuw.',
  },
  fr: {
    NATIVE_UNAVAILABLE: "Le programme eID Bridge n'est pas installé sur cet ordinateur. Installez eID Bridge et réessayez.",
    VERSION_MISMATCH: "L'extension et le programme eID Bridge n'ont pas la même version. Mettez eID Bridge à jour.",
    VERSION_INVALID: 'Le programme eID Bridge ne répond pas comme prévu. Réinstallez eID Bridge.',
    HOST_DISCONNECTED: "Le programme eID Bridge s'est arrêté de manière inattendue. Réessayez.",
    PCSC_UNAVAILABLE: 'Le service des lecteurs de carte ne fonctionne pas. Redémarrez votre ordinateur et réessayez.',
    PKCS11_MODULE_MISSING: "Le logiciel eID (middleware) est introuvable. Installez le logiciel eID et réessayez.",
    NO_READER: 'Aucun lecteur de carte trouvé. Branchez votre lecteur de carte.',
    READER_REMOVED: 'Le lecteur de carte a été débranché. Rebranchez votre lecteur de carte.',
    NO_CARD: "Insérez votre carte d'identité dans le lecteur de carte.",
    CARD_REMOVED: "La carte a été retirée du lecteur. Insérez à nouveau votre carte d'identité.",
    UNSUPPORTED_CARD: "Cette carte n'est pas reconnue. Insérez votre carte d'identité belge dans le lecteur.",
    CARD_ERROR: "Votre carte n'a pas pu être lue. Retirez-la du lecteur, insérez-la à nouveau et réessayez.",
    CERTIFICATE_NOT_FOUND: "Le certificat demandé ne se trouve pas sur la carte du lecteur. Insérez la bonne carte.",
    NO_SIGNING_CERTIFICATE: "Cette carte n'a pas de certificat de signature (par exemple une Kids-ID).",
    PIN_BLOCKED: "Votre code PIN est bloqué. Rendez-vous à l'administration communale avec votre carte d'identité.",
    PIN_FORMAT: 'Un code PIN compte 4 à 12 chiffres.',
    PIN_PAD_TIMEOUT: "Le code PIN n'a pas été introduit à temps sur le lecteur. Réessayez.",
    USER_TIMEOUT: 'Le temps pour répondre est écoulé. Réessayez.',
    USER_CANCELLED: 'Vous avez annulé.',
    CONTEXT_INSECURE: "Ce site n'utilise pas de connexion sécurisée (https).",
    ORIGIN_NOT_ALLOWED: "Ce site n'est pas autorisé à utiliser cette fonction.",
    TIMEOUT: "Le programme eID Bridge n'a pas répondu à temps. Réessayez.",
    default: "Une erreur s'est produite. Réessayez.",
  },
  de: {
    NATIVE_UNAVAILABLE: 'Das Programm eID Bridge ist auf diesem Computer nicht installiert. Installieren Sie eID Bridge und versuchen Sie es erneut.',
    VERSION_MISMATCH: 'Erweiterung und Programm eID Bridge haben verschiedene Versionen. Aktualisieren Sie eID Bridge.',
    VERSION_INVALID: 'Das Programm eID Bridge antwortet nicht wie erwartet. Installieren Sie eID Bridge neu.',
    HOST_DISCONNECTED: 'Das Programm eID Bridge wurde unerwartet beendet. Versuchen Sie es erneut.',
    PCSC_UNAVAILABLE: 'Der Kartenleserdienst Ihres Computers läuft nicht. Starten Sie den Computer neu und versuchen Sie es erneut.',
    PKCS11_MODULE_MISSING: 'Die eID-Software (Middleware) wurde nicht gefunden. Installieren Sie die eID-Software.',
    NO_READER: 'Kein Kartenleser gefunden. Schließen Sie Ihren Kartenleser an.',
    READER_REMOVED: 'Der Kartenleser wurde getrennt. Schließen Sie Ihren Kartenleser wieder an.',
    NO_CARD: 'Stecken Sie Ihren Personalausweis in den Kartenleser.',
    CARD_REMOVED: 'Die Karte wurde aus dem Leser genommen. Stecken Sie Ihren Personalausweis wieder ein.',
    UNSUPPORTED_CARD: 'Diese Karte wird nicht erkannt. Stecken Sie Ihren belgischen Personalausweis in den Leser.',
    CARD_ERROR: 'Ihre Karte konnte nicht gelesen werden. Nehmen Sie sie heraus, stecken Sie sie wieder ein und versuchen Sie es erneut.',
    CERTIFICATE_NOT_FOUND: 'Das angefragte Zertifikat ist nicht auf der Karte im Leser. Stecken Sie die richtige Karte ein.',
    NO_SIGNING_CERTIFICATE: 'Diese Karte hat kein Signaturzertifikat (zum Beispiel eine Kids-ID).',
    PIN_BLOCKED: 'Ihre PIN ist gesperrt. Gehen Sie mit Ihrem Personalausweis zur Gemeindeverwaltung.',
    PIN_FORMAT: 'Eine PIN besteht aus 4 bis 12 Ziffern.',
    PIN_PAD_TIMEOUT: 'Die PIN wurde nicht rechtzeitig am Kartenleser eingegeben. Versuchen Sie es erneut.',
    USER_TIMEOUT: 'Die Zeit zum Antworten ist abgelaufen. Versuchen Sie es erneut.',
    USER_CANCELLED: 'Sie haben abgebrochen.',
    CONTEXT_INSECURE: 'Diese Website verwendet keine sichere Verbindung (https).',
    ORIGIN_NOT_ALLOWED: 'Diese Website darf diese Funktion nicht verwenden.',
    TIMEOUT: 'Das Programm eID Bridge hat nicht rechtzeitig geantwortet. Versuchen Sie es erneut.',
    default: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
  },
  en: {
    NATIVE_UNAVAILABLE: 'The eID Bridge program is not installed on this computer. Install eID Bridge and try again.',
    VERSION_MISMATCH: 'The extension and the eID Bridge program have different versions. Update eID Bridge.',
    VERSION_INVALID: 'The eID Bridge program does not answer as expected. Reinstall eID Bridge.',
    HOST_DISCONNECTED: 'The eID Bridge program stopped unexpectedly. Try again.',
    PCSC_UNAVAILABLE: "Your computer's card reader service is not running. Restart your computer and try again.",
    PKCS11_MODULE_MISSING: 'The eID software (middleware) was not found. Install the eID software and try again.',
    NO_READER: 'No card reader found. Connect your card reader.',
    READER_REMOVED: 'The card reader was disconnected. Connect your card reader again.',
    NO_CARD: 'Insert your identity card into the card reader.',
    CARD_REMOVED: 'The card was taken out of the reader. Insert your identity card again.',
    UNSUPPORTED_CARD: 'This card is not recognised. Insert your Belgian identity card into the reader.',
    CARD_ERROR: 'Your card could not be read. Take it out of the reader, insert it again and try again.',
    CERTIFICATE_NOT_FOUND: 'The requested certificate is not on the card in the reader. Insert the right card.',
    NO_SIGNING_CERTIFICATE: 'This card has no signing certificate (for example a Kids-ID).',
    PIN_BLOCKED: 'Your PIN is blocked. Take your identity card to your municipality.',
    PIN_FORMAT: 'A PIN has 4 to 12 digits.',
    PIN_PAD_TIMEOUT: 'The PIN was not entered on the card reader in time. Try again.',
    USER_TIMEOUT: 'The time to answer has run out. Try again.',
    USER_CANCELLED: 'You cancelled.',
    CONTEXT_INSECURE: 'This website does not use a secure connection (https).',
    ORIGIN_NOT_ALLOWED: 'This website may not use this function.',
    TIMEOUT: 'The eID Bridge program did not answer in time. Try again.',
    default: 'Something went wrong. Try again.',
  },
};

export function errorText(language: Language, code: ErrorCode): string {
  const texts = ERROR_TEXTS[language];
  return texts[code] ?? texts.default;
}

export function pinIncorrectText(language: Language, triesLeft: number | undefined): string {
  if (triesLeft === undefined) return t(language, 'pin.incorrectUnknown');
  if (triesLeft === 1) return t(language, 'pin.incorrectLast');
  return t(language, 'pin.incorrect', { n: triesLeft });
}
