/**
 * Data of the enterprise register stand-in, the access management and the
 * mandates, on the backend's SQLite database (same file, same handle as the
 * main store; tables from migration 2). Every method is one statement or one
 * transaction.
 */
import type Database from 'better-sqlite3';
import type { ReferenceEnterprise } from './reference-data.js';

type Row = Record<string, unknown>;

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
}

function toManager(r: Row): AccessManager {
  return {
    enterpriseNumber: r.enterprise_number as string,
    nationalNumber: r.national_number as string,
    role: r.role as ManagerRole,
    domain: r.domain as string,
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    appointedBy: r.appointed_by as string,
    appointedAt: r.appointed_at as number,
  };
}

function toMandate(r: Row): MandateRow {
  return {
    id: r.id as string,
    giverType: r.giver_type as PartyType,
    giverId: r.giver_id as string,
    holderType: r.holder_type as PartyType,
    holderId: r.holder_id as string,
    mandateType: r.mandate_type as string,
    startDate: r.start_date as string,
    endDate: (r.end_date as string | null) ?? null,
    giverSignedBy: (r.giver_signed_by as string | null) ?? null,
    giverSignedAt: (r.giver_signed_at as number | null) ?? null,
    holderSignedBy: (r.holder_signed_by as string | null) ?? null,
    holderSignedAt: (r.holder_signed_at as number | null) ?? null,
    stoppedBy: (r.stopped_by as string | null) ?? null,
    stoppedAt: (r.stopped_at as number | null) ?? null,
    replacedBy: (r.replaced_by as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: r.created_at as number,
  };
}

function toRequest(r: Row): HtbRequest {
  return {
    ticket: r.ticket as string,
    pdfTokenHash: r.pdf_token_hash as string,
    enterpriseNumber: r.enterprise_number as string,
    payload: JSON.parse(r.payload as string) as Record<string, unknown>,
    status: r.status as HtbRequestStatus,
    reason: (r.reason as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

export class AccessStore {
  constructor(private readonly db: Database.Database) {}

  // --- enterprise register stand-in ---

  /** Adds or updates an enterprise and adds its representatives (existing ones stay). */
  putRegisterEnterprise(e: ReferenceEnterprise, source: string, now: number, overwrite = true): void {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM register_enterprises WHERE enterprise_number = ?').get(e.enterpriseNumber);
      if (exists && !overwrite) return;
      this.db
        .prepare(
          `INSERT INTO register_enterprises (enterprise_number, name, address, source, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (enterprise_number) DO UPDATE SET name = excluded.name, address = excluded.address`,
        )
        .run(e.enterpriseNumber, e.name, e.address, source, now);
      const put = this.db.prepare(
        `INSERT INTO register_representatives (enterprise_number, national_number, given_names, surname) VALUES (?, ?, ?, ?)
         ON CONFLICT (enterprise_number, national_number) DO UPDATE SET given_names = excluded.given_names, surname = excluded.surname`,
      );
      for (const r of e.representatives) put.run(e.enterpriseNumber, r.nationalNumber, r.givenNames, r.surname);
    })();
  }

  findRegisterEnterprise(enterpriseNumber: string): RegisterEnterprise | undefined {
    const r = this.db.prepare('SELECT * FROM register_enterprises WHERE enterprise_number = ?').get(enterpriseNumber) as Row | undefined;
    if (!r) return undefined;
    const reps = this.db.prepare('SELECT * FROM register_representatives WHERE enterprise_number = ? ORDER BY surname, given_names').all(enterpriseNumber) as Row[];
    return {
      enterpriseNumber,
      name: r.name as string,
      address: r.address as string,
      source: r.source as string,
      representatives: reps.map((x) => ({ nationalNumber: x.national_number as string, givenNames: x.given_names as string, surname: x.surname as string })),
    };
  }

  listRegisterEnterprises(): RegisterEnterprise[] {
    const rows = this.db.prepare('SELECT enterprise_number FROM register_enterprises ORDER BY name').all() as Row[];
    return rows.map((r) => this.findRegisterEnterprise(r.enterprise_number as string)!);
  }

  isRepresentative(enterpriseNumber: string, nationalNumber: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM register_representatives WHERE enterprise_number = ? AND national_number = ?').get(enterpriseNumber, nationalNumber);
  }

  /** The name the register knows for a national number, if any. */
  representativeName(nationalNumber: string): { givenNames: string; surname: string } | undefined {
    const r = this.db.prepare('SELECT given_names, surname FROM register_representatives WHERE national_number = ? LIMIT 1').get(nationalNumber) as Row | undefined;
    return r && { givenNames: r.given_names as string, surname: r.surname as string };
  }

  // --- access management ---

  findAccessEnterprise(enterpriseNumber: string): AccessEnterprise | undefined {
    const r = this.db.prepare('SELECT * FROM access_enterprises WHERE enterprise_number = ?').get(enterpriseNumber) as Row | undefined;
    return r && { enterpriseNumber, email: r.email as string, registeredBy: r.registered_by as string, registeredAt: r.registered_at as number };
  }

  /**
   * Registers the enterprise (or updates its e-mail address) and makes this
   * person its HTB, replacing a previous HTB. Returns the replaced HTB's
   * national number, or 'same' when this person already is the HTB.
   */
  appointHtb(input: { enterpriseNumber: string; enterpriseEmail: string; nationalNumber: string; email: string; phone: string | null; by: string; now: number; log: AccessLogEntry }): { previous: string | null } | 'same' {
    return this.db.transaction(() => {
      const current = this.db.prepare("SELECT national_number FROM access_managers WHERE enterprise_number = ? AND role = 'htb'").get(input.enterpriseNumber) as Row | undefined;
      if (current && current.national_number === input.nationalNumber) return 'same' as const;
      this.db
        .prepare(
          `INSERT INTO access_enterprises (enterprise_number, email, registered_by, registered_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (enterprise_number) DO UPDATE SET email = excluded.email`,
        )
        .run(input.enterpriseNumber, input.enterpriseEmail, input.by, input.now);
      this.db.prepare("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'htb'").run(input.enterpriseNumber);
      // A co-HTB who becomes the HTB is not also listed as co-HTB.
      this.db.prepare("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'co-htb' AND national_number = ?").run(input.enterpriseNumber, input.nationalNumber);
      this.db
        .prepare("INSERT INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, 'htb', '', ?, ?, ?, ?)")
        .run(input.enterpriseNumber, input.nationalNumber, input.email, input.phone, input.by, input.now);
      this.addLogInTransaction(input.enterpriseNumber, input.log);
      return { previous: (current?.national_number as string | undefined) ?? null };
    })();
  }

  listManagers(enterpriseNumber: string): AccessManager[] {
    return (this.db.prepare('SELECT * FROM access_managers WHERE enterprise_number = ? ORDER BY role, domain, appointed_at').all(enterpriseNumber) as Row[]).map(toManager);
  }

  /** The roles a person holds, in all enterprises. */
  rolesOf(nationalNumber: string): AccessManager[] {
    return (this.db.prepare('SELECT * FROM access_managers WHERE national_number = ?').all(nationalNumber) as Row[]).map(toManager);
  }

  /** False when the person already has this role. */
  addManager(m: Omit<AccessManager, 'appointedAt'> & { appointedAt: number }, log: AccessLogEntry): boolean {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT OR IGNORE INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.enterpriseNumber, m.nationalNumber, m.role, m.domain, m.email, m.phone, m.appointedBy, m.appointedAt);
      if (r.changes === 0) return false;
      this.addLogInTransaction(m.enterpriseNumber, log);
      return true;
    })();
  }

  /** False when there was no such role. */
  removeManager(enterpriseNumber: string, nationalNumber: string, role: ManagerRole, domain: string, log: AccessLogEntry): boolean {
    return this.db.transaction(() => {
      const r = this.db.prepare('DELETE FROM access_managers WHERE enterprise_number = ? AND national_number = ? AND role = ? AND domain = ?').run(enterpriseNumber, nationalNumber, role, domain);
      if (r.changes === 0) return false;
      this.addLogInTransaction(enterpriseNumber, log);
      return true;
    })();
  }

  setEnterpriseEmail(enterpriseNumber: string, email: string, log: AccessLogEntry): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE access_enterprises SET email = ? WHERE enterprise_number = ?').run(email, enterpriseNumber);
      this.addLogInTransaction(enterpriseNumber, log);
    })();
  }

  domainContacts(enterpriseNumber: string): Map<string, string> {
    const rows = this.db.prepare('SELECT domain, email FROM access_domain_contacts WHERE enterprise_number = ?').all(enterpriseNumber) as Row[];
    return new Map(rows.map((r) => [r.domain as string, r.email as string]));
  }

  /** email null removes the contact address; false when there was nothing to remove. */
  setDomainContact(enterpriseNumber: string, domain: string, email: string | null, log: AccessLogEntry): boolean {
    return this.db.transaction(() => {
      const r =
        email === null
          ? this.db.prepare('DELETE FROM access_domain_contacts WHERE enterprise_number = ? AND domain = ?').run(enterpriseNumber, domain)
          : this.db
              .prepare('INSERT INTO access_domain_contacts (enterprise_number, domain, email) VALUES (?, ?, ?) ON CONFLICT (enterprise_number, domain) DO UPDATE SET email = excluded.email')
              .run(enterpriseNumber, domain, email);
      if (r.changes === 0) return false;
      this.addLogInTransaction(enterpriseNumber, log);
      return true;
    })();
  }

  private addLogInTransaction(enterpriseNumber: string, entry: AccessLogEntry): void {
    this.db.prepare('INSERT INTO access_log (enterprise_number, actor, action, details, at) VALUES (?, ?, ?, ?, ?)').run(enterpriseNumber, entry.actor, entry.action, JSON.stringify(entry.details), entry.at);
  }

  listLog(enterpriseNumber: string, limit = 200): AccessLogEntry[] {
    const rows = this.db.prepare('SELECT * FROM access_log WHERE enterprise_number = ? ORDER BY at DESC, id DESC LIMIT ?').all(enterpriseNumber, limit) as Row[];
    return rows.map((r) => ({ actor: r.actor as string, action: r.action as string, details: JSON.parse(r.details as string) as Record<string, unknown>, at: r.at as number }));
  }

  // --- exception procedure ---

  createRequest(request: HtbRequest): void {
    this.db
      .prepare('INSERT INTO htb_requests (ticket, pdf_token_hash, enterprise_number, payload, status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(request.ticket, request.pdfTokenHash, request.enterpriseNumber, JSON.stringify(request.payload), request.status, request.reason, request.createdAt, request.updatedAt);
  }

  findRequest(ticket: string): HtbRequest | undefined {
    const r = this.db.prepare('SELECT * FROM htb_requests WHERE ticket = ?').get(ticket) as Row | undefined;
    return r && toRequest(r);
  }

  listRequests(status?: HtbRequestStatus): HtbRequest[] {
    const rows = (status ? this.db.prepare('SELECT * FROM htb_requests WHERE status = ? ORDER BY created_at').all(status) : this.db.prepare('SELECT * FROM htb_requests ORDER BY created_at').all()) as Row[];
    return rows.map(toRequest);
  }

  /** Moves a request from one of the given states to the next; false when it was in none of them (a concurrent decision). */
  setRequestStatus(ticket: string, from: HtbRequestStatus[], to: HtbRequestStatus, reason: string | null, now: number): boolean {
    const r = this.db
      .prepare(`UPDATE htb_requests SET status = ?, reason = ?, updated_at = ? WHERE ticket = ? AND status IN (${from.map(() => '?').join(', ')})`)
      .run(to, reason, now, ticket, ...from);
    return r.changes === 1;
  }

  // --- mandates ---

  createMandate(m: MandateRow): void {
    this.db
      .prepare(
        `INSERT INTO mandates (id, giver_type, giver_id, holder_type, holder_id, mandate_type, start_date, end_date, giver_signed_by, giver_signed_at,
          holder_signed_by, holder_signed_at, stopped_by, stopped_at, replaced_by, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.id, m.giverType, m.giverId, m.holderType, m.holderId, m.mandateType, m.startDate, m.endDate, m.giverSignedBy, m.giverSignedAt, m.holderSignedBy, m.holderSignedAt, m.stoppedBy, m.stoppedAt, m.replacedBy, m.createdBy, m.createdAt);
  }

  findMandate(id: string): MandateRow | undefined {
    const r = this.db.prepare('SELECT * FROM mandates WHERE id = ?').get(id) as Row | undefined;
    return r && toMandate(r);
  }

  /** Mandates where any of these parties is giver or holder. */
  listMandatesOf(parties: Array<{ type: PartyType; id: string }>): MandateRow[] {
    if (parties.length === 0) return [];
    const where = parties.map(() => '((giver_type = ? AND giver_id = ?) OR (holder_type = ? AND holder_id = ?))').join(' OR ');
    const args = parties.flatMap((p) => [p.type, p.id, p.type, p.id]);
    return (this.db.prepare(`SELECT * FROM mandates WHERE ${where} ORDER BY created_at DESC`).all(...args) as Row[]).map(toMandate);
  }

  updateMandate(id: string, changes: Partial<Pick<MandateRow, 'giverSignedBy' | 'giverSignedAt' | 'holderSignedBy' | 'holderSignedAt' | 'stoppedBy' | 'stoppedAt' | 'endDate' | 'replacedBy'>>): void {
    const columns: Record<string, string> = {
      giverSignedBy: 'giver_signed_by',
      giverSignedAt: 'giver_signed_at',
      holderSignedBy: 'holder_signed_by',
      holderSignedAt: 'holder_signed_at',
      stoppedBy: 'stopped_by',
      stoppedAt: 'stopped_at',
      endDate: 'end_date',
      replacedBy: 'replaced_by',
    };
    const keys = Object.keys(changes).filter((k) => k in columns);
    if (keys.length === 0) return;
    this.db.prepare(`UPDATE mandates SET ${keys.map((k) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`).run(...keys.map((k) => (changes as Record<string, unknown>)[k] ?? null), id);
  }

  /** Runs several changes as one unit (a transfer: stop the old mandate, create the new one). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
