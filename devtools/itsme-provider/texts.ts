/** The stand-in provider's pages in nl, fr, de and en, worded like the itsme steps in the guides. */
import { createTranslator, type Texts } from '../../shared/text/format.js';

const en = {
  standIn: 'Stand-in for itsme, for demos and tests: not the real app.',
  title: 'Log in with itsme',
  phoneLabel: 'Mobile number',
  phoneHint: 'Type your number after the 4, without the leading 0 and without spaces.',
  send: 'Send',
  unknownPhone: 'No itsme account for this number. Check the number, or create your itsme account first.',
  waitTitle: 'Prove it is you',
  waitNotice: 'A notification is waiting in your itsme app on {phone}.',
  timeLeft: 'Watch the time: you have 3 minutes to log in with itsme. Time left: {time}',
  codeToType: 'Your 5-digit itsme code (stand-in): {code}',
  openPhone: 'Open the itsme app (stand-in phone)',
  phoneTitle: 'itsme app (stand-in phone)',
  loginRequest: '{client} asks you to identify yourself.',
  logIn: 'I log in',
  refuse: 'Refuse',
  confirmTitle: 'Confirm',
  confirmData: 'You share your name and national register number.',
  codeLabel: 'Type your 5-digit itsme code',
  confirm: 'Confirm',
} as const;

type ProviderTextKey = keyof typeof en;

const nl: Texts<ProviderTextKey> = {
  standIn: 'Vervanger van itsme voor demo’s en tests: niet de echte app.',
  title: 'Aanmelden met itsme',
  phoneLabel: 'Gsm-nummer',
  phoneHint: 'Vul je gsm-nummer in net na de 4, zonder de 0 vooraan en zonder spaties.',
  send: 'Verstuur',
  unknownPhone: 'Er is geen itsme-account voor dit nummer. Controleer het nummer, of maak eerst je itsme-account aan.',
  waitTitle: 'Bewijs dat jij het bent',
  waitNotice: 'Een melding wacht in je itsme-app op je telefoonnummer {phone}.',
  timeLeft: 'Hou de tijd in de gaten: je hebt 3 minuten om je via itsme aan te melden. Resterende tijd: {time}',
  codeToType: 'Je 5-cijferige itsme-code (vervanger): {code}',
  openPhone: 'Open de itsme-app (vervangende telefoon)',
  phoneTitle: 'itsme-app (vervangende telefoon)',
  loginRequest: '{client} vraagt je om je te identificeren.',
  logIn: 'Ik log in',
  refuse: 'Weigeren',
  confirmTitle: 'Bevestig',
  confirmData: 'Je deelt je naam en je rijksregisternummer.',
  codeLabel: 'Voer je 5-cijferige itsme-code in',
  confirm: 'Bevestig',
};

const fr: Texts<ProviderTextKey> = {
  standIn: 'Remplaçant d’itsme pour les démos et les tests : pas la vraie application.',
  title: 'Se connecter avec itsme',
  phoneLabel: 'Numéro de GSM',
  phoneHint: 'Tapez votre numéro juste après le 4, sans le 0 initial et sans espaces.',
  send: 'Envoyer',
  unknownPhone: 'Aucun compte itsme pour ce numéro. Vérifiez le numéro ou créez d’abord votre compte itsme.',
  waitTitle: 'Prouvez que c’est vous',
  waitNotice: 'Une notification vous attend dans votre app itsme sur le numéro {phone}.',
  timeLeft: 'Surveillez le temps : vous avez 3 minutes pour vous connecter via itsme. Temps restant : {time}',
  codeToType: 'Votre code itsme à 5 chiffres (remplaçant) : {code}',
  openPhone: 'Ouvrir l’app itsme (téléphone de remplacement)',
  phoneTitle: 'App itsme (téléphone de remplacement)',
  loginRequest: '{client} vous demande de vous identifier.',
  logIn: 'Je me connecte',
  refuse: 'Refuser',
  confirmTitle: 'Confirmer',
  confirmData: 'Vous partagez votre nom et votre numéro de registre national.',
  codeLabel: 'Introduisez votre code itsme à 5 chiffres',
  confirm: 'Confirmer',
};

const de: Texts<ProviderTextKey> = {
  standIn: 'Ersatz für itsme für Demos und Tests: nicht die echte App.',
  title: 'Mit itsme anmelden',
  phoneLabel: 'Handynummer',
  phoneHint: 'Geben Sie Ihre Nummer direkt nach der 4 ein, ohne die führende 0 und ohne Leerzeichen.',
  send: 'Senden',
  unknownPhone: 'Für diese Nummer gibt es kein itsme-Konto. Prüfen Sie die Nummer oder erstellen Sie zuerst Ihr itsme-Konto.',
  waitTitle: 'Beweisen Sie, dass Sie es sind',
  waitNotice: 'In Ihrer itsme-App wartet eine Mitteilung auf der Nummer {phone}.',
  timeLeft: 'Achten Sie auf die Zeit: Sie haben 3 Minuten, um sich mit itsme anzumelden. Verbleibende Zeit: {time}',
  codeToType: 'Ihr 5-stelliger itsme-Code (Ersatz): {code}',
  openPhone: 'Die itsme-App öffnen (Ersatztelefon)',
  phoneTitle: 'itsme-App (Ersatztelefon)',
  loginRequest: '{client} bittet Sie, sich zu identifizieren.',
  logIn: 'Ich melde mich an',
  refuse: 'Ablehnen',
  confirmTitle: 'Bestätigen',
  confirmData: 'Sie teilen Ihren Namen und Ihre Nationalregisternummer.',
  codeLabel: 'Geben Sie Ihren 5-stelligen itsme-Code ein',
  confirm: 'Bestätigen',
};

export const providerText = createTranslator<ProviderTextKey>({ nl, fr, de, en });
