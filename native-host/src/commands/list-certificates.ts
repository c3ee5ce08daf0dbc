import { certificatesOf, describeCertificate } from '../certificates.js';
import type { CommandHandler } from './command.js';

/** Authentication and signing certificates of every card or token present. */
export const listCertificates: CommandHandler<'list-certificates'> = async (_args, ctx) => {
  const auth = await certificatesOf(ctx.backends, 'authentication');
  const signing = await certificatesOf(ctx.backends, 'signing');
  return { certificates: [...auth.found, ...signing.found].map(describeCertificate) };
};
