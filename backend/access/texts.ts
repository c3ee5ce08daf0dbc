/** Texts of the access management and mandates (e-mails, pages) in nl, fr, de, en. */
import type { Language } from '../i18n/index.js';

const nl = {
  mailHtbSubject: 'Uw onderneming is geregistreerd in het Beheer der Toegangsbeheerders',
  mailHtbBody:
    'Goedendag,\n\nUw onderneming, {enterprise} ({number}), is nu geactiveerd. {htb} werd aangesteld als Hoofdtoegangsbeheerder (HTB) door {by}.\n\nDe Hoofdtoegangsbeheerder kan co-Hoofdtoegangsbeheerders en Toegangsbeheerders per domein aanstellen op {link}.\n\nDit e-mailadres wordt gebruikt voor alle communicatie rond het toegangsbeheer van uw onderneming.',
  mailChangeSubject: 'Toegangsbeheer van {enterprise}: wijziging',
  mailChangeBody: 'Goedendag,\n\nOp {date} heeft {actor} het toegangsbeheer van {enterprise} ({number}) gewijzigd:\n{change}\n\nHerkent u deze wijziging niet? Neem dan contact op met uw Hoofdtoegangsbeheerder.',
  mailRequestSubject: 'Uw aanvraag {ticket}: Hoofdtoegangsbeheerder',
  mailRequestBody: 'Goedendag,\n\nUw aanvraag werd geregistreerd onder het ticketnummer {ticket}. Druk het PDF-document af, laat het tekenen door een wettelijk vertegenwoordiger en stuur het terug.',
  mailRejectedSubject: 'Uw aanvraag {ticket} werd geweigerd',
  mailRejectedBody: 'Goedendag,\n\nUw aanvraag {ticket} om een Hoofdtoegangsbeheerder aan te stellen voor {enterprise} werd geweigerd: {reason}',
  'change:htb-appointed': 'Hoofdtoegangsbeheerder aangesteld: {name}',
  'change:co-htb-added': 'co-Hoofdtoegangsbeheerder toegevoegd: {name}',
  'change:co-htb-removed': 'co-Hoofdtoegangsbeheerder verwijderd: {name}',
  'change:tb-added': 'Toegangsbeheerder toegevoegd voor {domain}: {name}',
  'change:tb-removed': 'Toegangsbeheerder verwijderd voor {domain}: {name}',
  'change:email-changed': 'Contact e-mailadres gewijzigd: {email}',
  'change:domain-contact-set': 'Contact e-mailadres voor {domain}: {email}',
  'change:domain-contact-removed': 'Contact e-mailadres voor {domain} verwijderd',
  confirmText: 'Ja, ik bevestig',
};

export type AccessMessages = typeof nl;

const fr: AccessMessages = {
  mailHtbSubject: 'Votre entreprise est enregistrée dans la Gestion des gestionnaires d’accès',
  mailHtbBody:
    'Bonjour,\n\nVotre entreprise, {enterprise} ({number}), est maintenant activée. {htb} a été désigné(e) Gestionnaire d’accès principal (GAP) par {by}.\n\nLe Gestionnaire d’accès principal peut désigner des co-Gestionnaires d’accès principaux et des Gestionnaires d’accès par domaine sur {link}.\n\nCette adresse e-mail sert à toute communication sur la gestion des accès de votre entreprise.',
  mailChangeSubject: 'Gestion des accès de {enterprise} : modification',
  mailChangeBody: 'Bonjour,\n\nLe {date}, {actor} a modifié la gestion des accès de {enterprise} ({number}) :\n{change}\n\nVous ne reconnaissez pas cette modification ? Contactez votre Gestionnaire d’accès principal.',
  mailRequestSubject: 'Votre demande {ticket} : Gestionnaire d’accès principal',
  mailRequestBody: 'Bonjour,\n\nVotre demande a été enregistrée sous le numéro de ticket {ticket}. Imprimez le document PDF, faites-le signer par un représentant légal et renvoyez-le.',
  mailRejectedSubject: 'Votre demande {ticket} a été refusée',
  mailRejectedBody: 'Bonjour,\n\nVotre demande {ticket} de désignation d’un Gestionnaire d’accès principal pour {enterprise} a été refusée : {reason}',
  'change:htb-appointed': 'Gestionnaire d’accès principal désigné : {name}',
  'change:co-htb-added': 'co-Gestionnaire d’accès principal ajouté : {name}',
  'change:co-htb-removed': 'co-Gestionnaire d’accès principal supprimé : {name}',
  'change:tb-added': 'Gestionnaire d’accès ajouté pour {domain} : {name}',
  'change:tb-removed': 'Gestionnaire d’accès supprimé pour {domain} : {name}',
  'change:email-changed': 'Adresse e-mail de contact modifiée : {email}',
  'change:domain-contact-set': 'Adresse e-mail de contact pour {domain} : {email}',
  'change:domain-contact-removed': 'Adresse e-mail de contact pour {domain} supprimée',
  confirmText: 'Oui, je confirme',
};

const de: AccessMessages = {
  mailHtbSubject: 'Ihr Unternehmen ist in der Verwaltung der Zugriffsverwalter registriert',
  mailHtbBody:
    'Guten Tag,\n\nIhr Unternehmen, {enterprise} ({number}), ist jetzt aktiviert. {htb} wurde von {by} als Hauptzugriffsverwalter bestellt.\n\nDer Hauptzugriffsverwalter kann Co-Hauptzugriffsverwalter und Zugriffsverwalter pro Bereich bestellen unter {link}.\n\nDiese E-Mail-Adresse wird für alle Mitteilungen zur Zugriffsverwaltung Ihres Unternehmens verwendet.',
  mailChangeSubject: 'Zugriffsverwaltung von {enterprise}: Änderung',
  mailChangeBody: 'Guten Tag,\n\nAm {date} hat {actor} die Zugriffsverwaltung von {enterprise} ({number}) geändert:\n{change}\n\nErkennen Sie diese Änderung nicht? Wenden Sie sich an Ihren Hauptzugriffsverwalter.',
  mailRequestSubject: 'Ihr Antrag {ticket}: Hauptzugriffsverwalter',
  mailRequestBody: 'Guten Tag,\n\nIhr Antrag wurde unter der Ticketnummer {ticket} registriert. Drucken Sie das PDF-Dokument aus, lassen Sie es von einem gesetzlichen Vertreter unterschreiben und senden Sie es zurück.',
  mailRejectedSubject: 'Ihr Antrag {ticket} wurde abgelehnt',
  mailRejectedBody: 'Guten Tag,\n\nIhr Antrag {ticket}, einen Hauptzugriffsverwalter für {enterprise} zu bestellen, wurde abgelehnt: {reason}',
  'change:htb-appointed': 'Hauptzugriffsverwalter bestellt: {name}',
  'change:co-htb-added': 'Co-Hauptzugriffsverwalter hinzugefügt: {name}',
  'change:co-htb-removed': 'Co-Hauptzugriffsverwalter entfernt: {name}',
  'change:tb-added': 'Zugriffsverwalter für {domain} hinzugefügt: {name}',
  'change:tb-removed': 'Zugriffsverwalter für {domain} entfernt: {name}',
  'change:email-changed': 'Kontakt-E-Mail-Adresse geändert: {email}',
  'change:domain-contact-set': 'Kontakt-E-Mail-Adresse für {domain}: {email}',
  'change:domain-contact-removed': 'Kontakt-E-Mail-Adresse für {domain} entfernt',
  confirmText: 'Ja, ich bestätige',
};

const en: AccessMessages = {
  mailHtbSubject: 'Your enterprise is registered in the access-manager management',
  mailHtbBody:
    'Hello,\n\nYour enterprise, {enterprise} ({number}), is now activated. {htb} was appointed main access manager by {by}.\n\nThe main access manager can appoint co-main access managers and access managers per domain at {link}.\n\nThis e-mail address is used for all communication about your enterprise’s access management.',
  mailChangeSubject: 'Access management of {enterprise}: change',
  mailChangeBody: 'Hello,\n\nOn {date}, {actor} changed the access management of {enterprise} ({number}):\n{change}\n\nDo you not recognise this change? Contact your main access manager.',
  mailRequestSubject: 'Your request {ticket}: main access manager',
  mailRequestBody: 'Hello,\n\nYour request was registered under ticket number {ticket}. Print the PDF document, have it signed by a legal representative and send it back.',
  mailRejectedSubject: 'Your request {ticket} was rejected',
  mailRejectedBody: 'Hello,\n\nYour request {ticket} to appoint a main access manager for {enterprise} was rejected: {reason}',
  'change:htb-appointed': 'Main access manager appointed: {name}',
  'change:co-htb-added': 'Co-main access manager added: {name}',
  'change:co-htb-removed': 'Co-main access manager removed: {name}',
  'change:tb-added': 'Access manager added for {domain}: {name}',
  'change:tb-removed': 'Access manager removed for {domain}: {name}',
  'change:email-changed': 'Contact e-mail address changed: {email}',
  'change:domain-contact-set': 'Contact e-mail address for {domain}: {email}',
  'change:domain-contact-removed': 'Contact e-mail address for {domain} removed',
  confirmText: 'Yes, I confirm',
};

export const ACCESS_MESSAGES: Record<Language, AccessMessages> = { nl, fr, de, en };

export function at(language: Language, key: keyof AccessMessages, values: Record<string, string | number> = {}): string {
  return ACCESS_MESSAGES[language][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}
