/** The access-management e-mails and change-log lines in Dutch. */
import type { Texts } from '../../../../shared/text/format.js';
import type { AccessMailKey } from './index.js';

export const nl: Texts<AccessMailKey> = {
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
  mailMandateExtensionSubject: 'Mandaat {type}: een langere looptijd wacht op uw akkoord',
  mailMandateExtensionBody:
    'Hallo,\n\n{by} stelt voor het mandaat "{type}" van {giver} aan {holder} te verlengen tot {endDate}. De huidige einddatum blijft gelden tot uw kant akkoord gaat.\n\nGa akkoord door het tot dezelfde datum te verlengen, of stop het mandaat, op {link}.\n\nHerkent u dit voorstel niet? Doe dan niets: zonder uw akkoord eindigt het mandaat zoals gepland.',
  mandateNoEnd: 'geen einddatum',
  confirmText: 'Ja, ik bevestig',
};
