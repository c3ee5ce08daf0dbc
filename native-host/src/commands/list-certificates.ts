import { allCertificates, describeCertificate } from '../certificates.js';
import type { CommandHandler } from './command.js';

/** Authentication and signing certificates of every card or token present. */
export const listCertificates: CommandHandler<'list-certificates'> = async (_args, ctx) => {
  const { found } = await allCertificates(ctx.backends);
  // Authentication first: the dialog lists them in this order.
  const ordered = [...found.filter((c) => c.usage === 'authentication'), ...found.filter((c) => c.usage === 'signing')];
  return { certificates: ordered.map(describeCertificate) };
};
