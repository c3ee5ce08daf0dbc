/**
 * read-identity: reads the identity, address and (when asked) photo files of
 * the card over PC/SC, verifies them against the trusted roots and answers
 * only what the person agreed to share.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import type { CardFiles } from '../../../shared-node/identity-verify.js';
import type { CardBackend } from '../backends/card-backend.js';
import type { CardIdentityFiles } from '../backends/pcsc-backend.js';
import { buildIdentityResult } from '../../../shared-node/identity-result.js';
import { loadTrustedRoots, type TrustedRootSet } from '../../../shared-node/trusted-roots.js';
import type { CommandContext, CommandHandler } from './command.js';

/** What the PC/SC backend offers beyond CardBackend: the raw identity files of one card. */
export interface IdentityFileReader {
  readIdentityFiles(reader: string | undefined, options: { photo?: boolean; signal?: AbortSignal }): Promise<CardIdentityFiles>;
}

export function canReadIdentityFiles(backend: CardBackend): backend is CardBackend & IdentityFileReader {
  return typeof (backend as Partial<IdentityFileReader>).readIdentityFiles === 'function';
}

export function identityReaderOf(backends: readonly CardBackend[]): CardBackend & IdentityFileReader {
  const reader = backends.find((b) => b.name === 'pcsc' && canReadIdentityFiles(b)) ?? backends.find(canReadIdentityFiles);
  if (!reader) {
    throw new EidBridgeError('PCSC_UNAVAILABLE', 'Reading identity data needs the PC/SC card backend, which is not available', {
      hint: 'Install and start the PC/SC service (pcscd) and connect a card reader.',
    });
  }
  return reader as CardBackend & IdentityFileReader;
}

let trustedRootsOnce: Promise<TrustedRootSet> | undefined;

/** The built-in Belgian roots plus EID_BRIDGE_TRUSTED_ROOTS, read once per host process. */
function hostTrustedRoots(ctx: CommandContext): Promise<TrustedRootSet> {
  trustedRootsOnce ??= loadTrustedRoots().then((set) => {
    for (const problem of set.problems) ctx.log.warn('trusted roots', { problem });
    return set;
  });
  return trustedRootsOnce;
}

export const readIdentity: CommandHandler<'read-identity'> = async (args, ctx) => {
  const includePhoto = args.includePhoto ?? false;
  const includeAddress = args.includeAddress ?? true;
  const backend = identityReaderOf(ctx.backends);
  const [read, roots] = await Promise.all([
    backend.readIdentityFiles(args.reader, { photo: includePhoto, signal: ctx.signal }),
    hostTrustedRoots(ctx),
  ]);
  if (ctx.signal.aborted) throw new EidBridgeError('USER_CANCELLED', 'Reading the identity data was cancelled');
  const result = buildIdentityResult(read.files as CardFiles, {
    includeAddress,
    includePhoto,
    trustedRoots: roots.roots,
    virtual: read.virtual,
    cardType: read.cardType,
  });
  ctx.log.info('identity read', { verified: result.verification.verified, cardType: result.cardType });
  return result;
};
