/** The access-management e-mails and change-log lines in English: the key list every language follows. */
export const en = {
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
  mailMandateExtensionSubject: 'Mandate {type}: a longer term awaits your agreement',
  mailMandateExtensionBody:
    'Hello,\n\n{by} proposes to extend the mandate "{type}" from {giver} to {holder} until {endDate}. The current end date stays until your side agrees.\n\nAgree by extending it to the same date, or stop the mandate, at {link}.\n\nDo you not recognise this proposal? Do nothing: without your agreement the mandate ends as planned.',
  mandateNoEnd: 'no end date',
  confirmText: 'Yes, I confirm',
};
