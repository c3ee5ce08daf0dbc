/** The labels of the exception-procedure form (PDF) in English: the key list every language follows. */
import type { Message } from '../../../../shared/text/format.js';

export const en = {
  title: 'Appointment of a main access manager – exception procedure',
  ticket: 'Ticket number',
  intro: 'This document must be signed by a legal representative of the enterprise, as known in the Crossroads Bank for Enterprises.',
  enterprise: 'Enterprise',
  enterpriseNumber: 'Enterprise number',
  address: 'Address',
  enterpriseEmail: 'E-mail address of the main access manager (for all communication)',
  requester: 'Legal representative (applicant)',
  htb: 'Main access manager',
  htbIsRequester: 'The applicant appoints himself as main access manager.',
  nationalNumber: 'National number',
  name: 'Name',
  email: 'E-mail address',
  phone: 'Phone number',
  statement: 'I confirm that these data are correct and complete.',
  signature: 'Name, date and signature of the legal representative',
  returnTo: 'Send this document back signed and always mention the ticket number.',
} satisfies Record<string, Message>;

export type RequestFormKey = keyof typeof en;
