/**
 * Every read and write of the backend's data goes through this one interface.
 * sql-store.ts implements it for SQLite (the embedded default) and
 * PostgreSQL (several instances on one database) with the same statements.
 * Each method is one unit of work (one transaction), so callers never hold a
 * transaction open across awaits.
 */

export const CODE_KEY_KINDS = ['email', 'sms', 'totp'] as const;
export type CodeKeyKind = (typeof CODE_KEY_KINDS)[number];

export interface Person {
  id: number;
  nationalNumber: string;
  givenNames: string;
  surname: string;
  email: string | null;
  phone: string | null;
  language: string;
  createdAt: number;
}

export interface PasswordKey {
  personId: number;
  username: string;
  passwordHash: string;
  updatedAt: number;
}

export interface CodeKey {
  personId: number;
  kind: CodeKeyKind;
  totpSecret: string | null;
  totpLastStep: number | null;
  activatedAt: number;
}

export interface Session {
  tokenHash: string;
  personId: number | null;
  level: number;
  method: string | null;
  authTime: number | null;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export type PendingPurpose = 'login' | 'register-key' | 'activation';

export interface PendingRequest {
  id: string;
  sessionHash: string;
  personId: number | null;
  purpose: PendingPurpose;
  channel: string;
  codeHash: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * A PDF a person is signing (routes/signing.ts): uploaded, then prepared for
 * their signing certificate, then finished with the card's signature. Kept
 * in the database, not in one process, so any instance can take the next step.
 */
export interface SigningDocument {
  id: string;
  personId: number;
  /** The session that uploaded it: only that session takes the next steps. */
  sessionHash: string;
  fileName: string;
  title: string;
  pageCount: number;
  /** The uploaded PDF, base64. */
  pdf: string;
  /** The prepared signature (backend/signing/pades.ts PendingPdfSignature as JSON, bytes in base64), once prepared. */
  pending: Record<string, unknown> | null;
  createdAt: number;
  expiresAt: number;
}

export interface ActivationCode {
  id: string;
  personId: number;
  linkTokenHash: string;
  codeHash: string;
  email: string;
  createdBy: string;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface OutboxMessage {
  id: number;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
  createdAt: number;
}

export interface NewPerson {
  nationalNumber: string;
  givenNames: string;
  surname: string;
  email?: string | null;
  language?: string;
}

// --- access management and mandates (tables of migration 2) ---

export type ManagerRole = 'htb' | 'co-htb' | 'tb';
export type PartyType = 'citizen' | 'enterprise';

export interface RegisterEnterprise {
  enterpriseNumber: string;
  name: string;
  address: string;
  source: string;
  representatives: Array<{ nationalNumber: string; givenNames: string; surname: string }>;
}

export interface AccessEnterprise {
  enterpriseNumber: string;
  email: string;
  registeredBy: string;
  registeredAt: number;
}

export interface AccessManager {
  enterpriseNumber: string;
  nationalNumber: string;
  role: ManagerRole;
  domain: string;
  email: string | null;
  phone: string | null;
  appointedBy: string;
  appointedAt: number;
}

/** One change of an enterprise's access management, as the change log shows it. */
export interface AccessLogEntry {
  actor: string;
  action: string;
  details: Record<string, unknown>;
  at: number;
}

export type HtbRequestStatus = 'waiting' | 'received' | 'approved' | 'rejected';

export interface HtbRequest {
  ticket: string;
  pdfTokenHash: string;
  enterpriseNumber: string;
  payload: Record<string, unknown>;
  status: HtbRequestStatus;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A document of the access part that people sign with their eID
 * (access/signed-documents.ts): a mandate ('mandate:<id>') or an exception
 * form ('exception:<ticket>'). `pdf` is the document as signed so far; a
 * prepared signature waits in `pending` until the card's signature comes.
 */
export interface AccessDocument {
  subject: string;
  language: string;
  /** The PDF, base64: unsigned, or with the signatures made so far. */
  pdf: string;
  /** The prepared signature (signing/pades.ts PendingPdfSignature as JSON text), or null. */
  pending: string | null;
  /** Which side prepared it: 'giver', 'holder' or 'representative'. */
  pendingSide: string | null;
  /** The national number of the person who prepared it. */
  pendingBy: string | null;
  updatedAt: number;
}

/** What a finished signature changes besides the document: the mandate side it signs, or the exception request it makes received. */
export type AccessSignatureEffect =
  | { mandateId: string; side: 'giver' | 'holder'; by: string; at: number }
  | { ticket: string; at: number };

export interface MandateRow {
  id: string;
  giverType: PartyType;
  giverId: string;
  holderType: PartyType;
  holderId: string;
  mandateType: string;
  startDate: string;
  endDate: string | null;
  giverSignedBy: string | null;
  giverSignedAt: number | null;
  holderSignedBy: string | null;
  holderSignedAt: number | null;
  stoppedBy: string | null;
  stoppedAt: number | null;
  replacedBy: string | null;
  createdBy: string;
  createdAt: number;
  /** A later end date (null: no end) one side proposed; it takes effect when the other side agrees. Null fields: none proposed. */
  extensionEndDate: string | null;
  extensionSide: 'giver' | 'holder' | null;
  extensionBy: string | null;
  extensionAt: number | null;
}

/** An enterprise as the register stand-in knows it, before its representatives are listed. */
export interface NewRegisterEnterprise {
  enterpriseNumber: string;
  name: string;
  address: string;
  representatives: Array<{ nationalNumber: string; givenNames: string; surname: string }>;
}

export type MandateChanges = Partial<Pick<MandateRow, 'giverSignedBy' | 'giverSignedAt' | 'holderSignedBy' | 'holderSignedAt' | 'stoppedBy' | 'stoppedAt' | 'endDate' | 'replacedBy' | 'extensionEndDate' | 'extensionSide' | 'extensionBy' | 'extensionAt'>>;

export interface DataStore {
  close(): Promise<void>;
  schemaVersion(): Promise<number>;

  findPersonById(id: number): Promise<Person | undefined>;
  findPersonByNationalNumber(nationalNumber: string): Promise<Person | undefined>;
  findPersonByEmail(email: string): Promise<Person | undefined>;
  /** Creates the person, or updates the names of an existing one (an eID login brings the names from the card). */
  upsertPerson(person: NewPerson, now: number): Promise<Person>;
  setPersonEmail(personId: number, email: string | null): Promise<void>;
  setPersonPhone(personId: number, phone: string | null): Promise<void>;
  /** The language the person last used: e-mails and SMS follow it. */
  setPersonLanguage(personId: number, language: string): Promise<void>;

  findPasswordByUsername(username: string): Promise<PasswordKey | undefined>;
  findPassword(personId: number): Promise<PasswordKey | undefined>;
  /** Returns false when the username belongs to someone else. */
  setPassword(personId: number, username: string, passwordHash: string, now: number): Promise<boolean>;
  deletePassword(personId: number): Promise<void>;

  listCodeKeys(personId: number): Promise<CodeKey[]>;
  findCodeKey(personId: number, kind: CodeKeyKind): Promise<CodeKey | undefined>;
  activateCodeKey(key: CodeKey): Promise<void>;
  deleteCodeKey(personId: number, kind: CodeKeyKind): Promise<void>;
  /** Records an accepted TOTP time step; false when it is not newer than the last one (a replay). */
  acceptTotpStep(personId: number, step: number): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<Session | undefined>;
  /** Replaces a session by a new one (new token) in one step, as at every (re)authentication. */
  rotateSession(oldTokenHash: string | null, session: Session): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteOtherSessions(personId: number, keepTokenHash: string): Promise<number>;
  deleteExpired(now: number): Promise<void>;

  putNonce(sessionHash: string, nonce: string, expiresAt: number): Promise<void>;
  takeNonce(sessionHash: string): Promise<{ nonce: string; expiresAt: number } | undefined>;

  createPending(request: PendingRequest): Promise<void>;
  findPending(id: string): Promise<PendingRequest | undefined>;
  countAttempt(id: string): Promise<number>;
  /** Marks the request used; false when it already was (single use under concurrency). */
  usePending(id: string, now: number): Promise<boolean>;
  updatePending(id: string, changes: { channel?: string; codeHash?: string | null; payload?: Record<string, unknown>; expiresAt?: number; attempts?: number }): Promise<void>;

  findFailures(personId: number): Promise<{ failures: number; lockedUntil: number } | undefined>;
  /** Counts one failure for the account, atomically, unless it is locked at `now`; the new count, or undefined when locked (not counted). */
  countAccountFailure(personId: number, now: number): Promise<number | undefined>;
  /** Locks the account until `until` (a lock never shortens). */
  lockAccount(personId: number, until: number): Promise<void>;
  clearFailures(personId: number): Promise<void>;
  /**
   * Takes one of the `max` failure slots of an address in the window from
   * `since`, atomically, before the attempt is checked: the slot's id, or the
   * time of the oldest failure in the window when all are taken.
   */
  reserveIpFailure(ip: string, at: number, since: number, max: number): Promise<{ reservation: number } | { oldest: number }>;
  /** Gives a slot back: the attempt it was taken for did not fail. */
  releaseIpFailure(reservation: number): Promise<void>;
  countIpFailures(ip: string, since: number): Promise<{ count: number; oldest: number | null }>;
  /**
   * Counts one request under `key` (route and address) in a window of
   * `windowMs` that starts at the first request; a window that has ended
   * starts again. The count so far and when the window ends.
   */
  countRequest(key: string, now: number, windowMs: number): Promise<{ count: number; windowEnds: number }>;

  createActivationCode(code: ActivationCode): Promise<void>;
  findActivationByLink(linkTokenHash: string): Promise<ActivationCode | undefined>;
  findActivation(id: string): Promise<ActivationCode | undefined>;
  countActivationAttempt(id: string): Promise<number>;
  /**
   * Finishes an LRA activation at once: username and password, the chosen
   * code key, the contact data, and the activation code marked used.
   */
  completeActivation(input: {
    activationId: string;
    personId: number;
    username: string;
    passwordHash: string;
    key: CodeKey;
    email: string;
    phone: string | null;
    now: number;
  }): Promise<'ok' | 'used' | 'username-taken'>;

  addOutbox(message: Omit<OutboxMessage, 'id'>): Promise<void>;
  listOutbox(limit: number): Promise<OutboxMessage[]>;

  // The enterprise register stand-in.
  /** Adds or updates an enterprise and adds its representatives (existing ones stay); with overwrite false a known enterprise is left as it is. */
  putRegisterEnterprise(enterprise: NewRegisterEnterprise, source: string, now: number, overwrite?: boolean): Promise<void>;
  findRegisterEnterprise(enterpriseNumber: string): Promise<RegisterEnterprise | undefined>;
  listRegisterEnterprises(): Promise<RegisterEnterprise[]>;
  isRepresentative(enterpriseNumber: string, nationalNumber: string): Promise<boolean>;
  /** The name the register knows for a national number, if any. */
  representativeName(nationalNumber: string): Promise<{ givenNames: string; surname: string } | undefined>;

  // Access management: every change is logged in the same unit of work.
  findAccessEnterprise(enterpriseNumber: string): Promise<AccessEnterprise | undefined>;
  /**
   * Registers the enterprise (or updates its e-mail address) and makes this
   * person its HTB, replacing a previous HTB. Returns the replaced HTB's
   * national number, or 'same' when this person already is the HTB.
   */
  appointHtb(input: { enterpriseNumber: string; enterpriseEmail: string; nationalNumber: string; email: string; phone: string | null; by: string; now: number; log: AccessLogEntry }): Promise<{ previous: string | null } | 'same'>;
  listManagers(enterpriseNumber: string): Promise<AccessManager[]>;
  /** The roles a person holds, in all enterprises. */
  rolesOf(nationalNumber: string): Promise<AccessManager[]>;
  /** False when the person already has this role. */
  addManager(manager: AccessManager, log: AccessLogEntry): Promise<boolean>;
  /** False when there was no such role. */
  removeManager(enterpriseNumber: string, nationalNumber: string, role: ManagerRole, domain: string, log: AccessLogEntry): Promise<boolean>;
  setEnterpriseEmail(enterpriseNumber: string, email: string, log: AccessLogEntry): Promise<void>;
  domainContacts(enterpriseNumber: string): Promise<Map<string, string>>;
  /** email null removes the contact address; false when there was nothing to remove. */
  setDomainContact(enterpriseNumber: string, domain: string, email: string | null, log: AccessLogEntry): Promise<boolean>;
  listLog(enterpriseNumber: string, limit?: number): Promise<AccessLogEntry[]>;

  // The HTB exception procedure.
  createRequest(request: HtbRequest): Promise<void>;
  findRequest(ticket: string): Promise<HtbRequest | undefined>;
  listRequests(status?: HtbRequestStatus): Promise<HtbRequest[]>;
  /** Moves a request from one of the given states to the next; false when it was in none of them (a concurrent decision). */
  setRequestStatus(ticket: string, from: HtbRequestStatus[], to: HtbRequestStatus, reason: string | null, now: number): Promise<boolean>;

  // Documents being signed.
  createSigningDocument(document: SigningDocument): Promise<void>;
  findSigningDocument(id: string): Promise<SigningDocument | undefined>;
  /** Keeps the prepared signature of a document (a second prepare replaces the first). */
  setSigningDocumentPending(id: string, pending: Record<string, unknown>): Promise<void>;
  /** Removes the document; false when it was already gone (a finish runs once, also across instances). */
  takeSigningDocument(id: string): Promise<boolean>;

  // Documents of the access part signed with the eID.
  findAccessDocument(subject: string): Promise<AccessDocument | undefined>;
  /** Creates or replaces the document row (the PDF and the prepared signature). */
  saveAccessDocument(document: AccessDocument): Promise<void>;
  /**
   * In one transaction: the signed PDF replaces the document, but only while
   * `pending` is still the prepared signature (a finish counts once, also
   * across instances), and the effect is recorded (a mandate side signed once,
   * or an exception request moved from waiting to received). False when the
   * prepared signature was no longer there.
   */
  finishAccessSignature(subject: string, pending: string, signedPdf: string, effect: AccessSignatureEffect): Promise<boolean>;

  // Mandates.
  createMandate(mandate: MandateRow): Promise<void>;
  findMandate(id: string): Promise<MandateRow | undefined>;
  /** Mandates where any of these parties is giver or holder. */
  listMandatesOf(parties: Array<{ type: PartyType; id: string }>): Promise<MandateRow[]>;
  updateMandate(id: string, changes: MandateChanges): Promise<void>;
  /** A transfer in one unit: the new mandate is created and the old one stops, replaced by it. */
  transferMandate(oldId: string, next: MandateRow, stop: { by: string; at: number }): Promise<void>;
}

/** Usernames are unique regardless of case and surrounding spaces. */
export function usernameKey(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}
