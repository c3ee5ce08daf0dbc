/** The access-management e-mails and change-log lines in German. */
import type { Texts } from '../../../../shared/text/format.js';
import type { AccessMailKey } from './index.js';

export const de: Texts<AccessMailKey> = {
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
  mailMandateExtensionSubject: 'Mandat {type}: eine längere Laufzeit wartet auf Ihre Zustimmung',
  mailMandateExtensionBody:
    'Guten Tag,\n\n{by} schlägt vor, das Mandat „{type}“ von {giver} an {holder} bis {endDate} zu verlängern. Das bisherige Enddatum gilt, bis Ihre Seite zustimmt.\n\nStimmen Sie zu, indem Sie es bis zum selben Datum verlängern, oder beenden Sie das Mandat, unter {link}.\n\nErkennen Sie diesen Vorschlag nicht? Tun Sie nichts: Ohne Ihre Zustimmung endet das Mandat wie geplant.',
  mandateNoEnd: 'kein Enddatum',
  confirmText: 'Ja, ich bestätige',
};
