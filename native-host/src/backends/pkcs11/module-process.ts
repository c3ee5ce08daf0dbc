/**
 * The PKCS#11 module runs in a child process of the host, and every call to
 * it has a time limit. A module that blocks (a reader that stopped
 * answering, a middleware waiting on a lock that is never freed) then costs
 * one request a typed error, PKCS11_MODULE_HUNG, instead of freezing the
 * host: the host's main thread only waits for a message.
 *
 * Why a process and not a worker thread (both load pkcs11js, an N-API addon):
 * - a thread stuck in native code cannot be stopped: Worker.terminate()
 *   waits for the call to return, and so does the exit of the whole process
 *   (process.exit() never returns while such a worker exists), so the host
 *   could not even quit when the browser closes the pipe; a process is ended
 *   by SIGKILL, wherever it is, and pcscd releases the card it held;
 * - a module's state is per process: a second worker in the same process
 *   gets CKR_CRYPTOKI_ALREADY_INITIALIZED and shares the stuck thread's
 *   sessions and locks, so it would likely hang too; a new process loads and
 *   initialises the module afresh.
 * An overrunning call's process is killed at once. A process in the kernel's
 * uninterruptible sleep (a driver stuck in I/O) outlives SIGKILL until the
 * I/O ends: at most MAX_PROCESSES_BEING_KILLED of those are waited for
 * before the backend refuses to start another one.
 *
 * The child only forwards calls to pkcs11js (module-child.ts): `node -e`
 * for a host run by `node`, the packaged executable itself in its module
 * role otherwise (childCommand).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { isSea } from 'node:sea';
import pkcs11js from 'pkcs11js';
import { PKCS11_MODULE_PROCESS_ENV, serveModuleCalls } from './module-child.js';
import { EidBridgeError } from '../../../../shared/errors.js';

type Handle = Buffer;

/**
 * Time limits per call, in ms. A module call that only reads the token gets
 * a limit far above the few hundred ms a slow card takes to read a
 * certificate; a signature on a slow card takes seconds; a PIN typed on a
 * PIN-pad reader waits for the person (the reader itself gives 30 s per key,
 * docs/card.md).
 */
export const PKCS11_CALL_LIMITS_MS = {
  /** Loading and initialising: the official middleware looks at every reader. */
  start: 30_000,
  /** Listing slots, reading token information, certificates and key attributes. */
  read: 20_000,
  /** C_Login with the PIN given: one VERIFY on the card. */
  login: 20_000,
  /** C_Login on a PIN-pad reader or with the module's own PIN prompt: the person types the PIN. */
  loginByPerson: 120_000,
  /** C_Sign: the card computes the signature. */
  sign: 30_000,
} as const;

export type CallKind = keyof typeof PKCS11_CALL_LIMITS_MS;

/** The calls the backend makes, each answered asynchronously. */
export interface Pkcs11Module {
  C_GetInfo(): Promise<pkcs11js.ModuleInfo>;
  C_GetSlotList(tokenPresent: boolean): Promise<Handle[]>;
  C_GetSlotInfo(slot: Handle): Promise<pkcs11js.SlotInfo>;
  C_GetTokenInfo(slot: Handle): Promise<pkcs11js.TokenInfo>;
  C_GetMechanismList(slot: Handle): Promise<number[]>;
  C_OpenSession(slot: Handle, flags: number): Promise<Handle>;
  C_CloseSession(session: Handle): Promise<void>;
  C_Login(session: Handle, userType: number, pin: string, kind: 'login' | 'loginByPerson'): Promise<void>;
  C_Logout(session: Handle): Promise<void>;
  C_FindObjectsInit(session: Handle, template: pkcs11js.Template): Promise<void>;
  C_FindObjects(session: Handle, maxObjects: number): Promise<Handle[]>;
  C_FindObjectsFinal(session: Handle): Promise<void>;
  C_GetAttributeValue(session: Handle, object: Handle, template: pkcs11js.Template): Promise<pkcs11js.Template>;
  C_SignInit(session: Handle, mechanism: pkcs11js.Mechanism, key: Handle): Promise<void>;
  C_Sign(session: Handle, data: Buffer, signatureBytes: number): Promise<Buffer>;
  /** False once the module's process has ended (a hang, a cancel, a crash): the module must be opened again. */
  isOpen(): boolean;
  /** Finalises (when this module initialised it) and releases the module. */
  close(ownsInitialization: boolean): Promise<void>;
  /**
   * Ends the calls under way with USER_CANCELLED, when the module runs in a
   * process of its own (killed: a PIN pad's wait cannot be cut short
   * otherwise); in the host's process it cannot, and the call runs on.
   */
  cancel(): void;
}

export interface OpenedModule {
  module: Pkcs11Module;
  /** False when someone else in this process had initialised the module: then they finalise it. */
  ownsInitialization: boolean;
}

export interface ModuleProcessOptions {
  /** Caps every limit of PKCS11_CALL_LIMITS_MS (EID_BRIDGE_PKCS11_TIMEOUT_MS: tests, impatient set-ups). */
  maxCallMs?: number;
  /** Calls the module in this process, without time limits: the packaged executable's way, and the benchmark's baseline. */
  inProcess?: boolean;
  /** Called when a call overran and its process was killed. */
  onHung?: (hang: Pkcs11Hang) => void;
}

export interface Pkcs11Hang {
  call: string;
  limitMs: number;
  at: Date;
}

/** EID_BRIDGE_PKCS11_TIMEOUT_MS, when set to a positive number of ms, caps every call's limit. */
export function pkcs11CallCapFromEnv(env: NodeJS.ProcessEnv): { maxCallMs?: number } {
  const ms = Number(env.EID_BRIDGE_PKCS11_TIMEOUT_MS);
  return ms > 0 ? { maxCallMs: ms } : {};
}

/** Processes killed after a hang that have not exited yet, at most. */
const MAX_PROCESSES_BEING_KILLED = 2;
let processesBeingKilled = 0;

/** What the person can do about a module that does not answer, in every message about it. */
export const MODULE_HUNG_HINT =
  'Remove the card reader and plug it in again, then try again. If it keeps happening, restart the computer or reinstall the eID software (middleware), or choose the PC/SC backend in the options page.';

export function moduleHungError(call: string, limitMs: number): EidBridgeError {
  return new EidBridgeError(
    'PKCS11_MODULE_HUNG',
    `The card module (PKCS#11) did not answer ${call} within ${limitMs / 1000} s. ${MODULE_HUNG_HINT}`,
    { hint: MODULE_HUNG_HINT },
  );
}

/** How the module's process is started: `node -e` with serveModuleCalls, or the packaged executable in its module role. */
interface ChildCommand {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The command for the module's process. A host run by `node` gives `node -e`
 * the source of serveModuleCalls and where pkcs11js is; a packaged single
 * executable runs its own bundle whatever it is given, so it is started again
 * with PKCS11_MODULE_PROCESS_ENV, which makes it serve the calls instead of
 * being the host. Undefined when neither is possible (pkcs11js not found).
 */
function childCommand(): ChildCommand | undefined {
  if (isSea()) return { args: [], env: { [PKCS11_MODULE_PROCESS_ENV]: '1' } };
  try {
    const pkcs11jsPath = createRequire(import.meta.url).resolve('pkcs11js');
    return { args: ['-e', `(${serveModuleCalls.toString()})(require(process.env.EID_BRIDGE_PKCS11JS));`], env: { EID_BRIDGE_PKCS11JS: pkcs11jsPath } };
  } catch {
    return undefined;
  }
}

/** pkcs11js's error, rebuilt from the child's answer so that errors.ts reads its CK_RV as before. */
class ModuleCallError extends Error {
  readonly code: number;
  constructor(payload: { name?: unknown; message?: unknown; code?: unknown }) {
    super(typeof payload.message === 'string' ? payload.message : 'PKCS#11 call failed');
    this.name = typeof payload.name === 'string' ? payload.name : 'Error';
    this.code = typeof payload.code === 'number' ? payload.code : 0;
  }
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** One child process with the module loaded in it. */
class ModuleProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 0;
  private ended: EidBridgeError | undefined;

  constructor(
    command: ChildCommand,
    private readonly options: ModuleProcessOptions,
  ) {
    // stdout is the host's protocol channel: the child never writes to it. stderr goes to the host's log.
    this.child = spawn(process.execPath, command.args, {
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child.on('message', (message: { id: number; value?: unknown; error?: { name?: unknown; message?: unknown; code?: unknown } }) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.error) call.reject(new ModuleCallError(message.error));
      else call.resolve(message.value);
      this.holdHostOpenWhileBusy();
    });
    this.child.on('error', (e) => this.end(new EidBridgeError('PKCS11_MODULE_MISSING', `The PKCS#11 module process could not start: ${e.message}`)));
    // A module that crashes takes only its process down: the call under way fails, and the next operation starts a new one.
    this.child.on('exit', (code, signal) =>
      this.end(new EidBridgeError('CARD_ERROR', `The PKCS#11 module's process ended (${signal ?? `exit code ${code}`}) during a call`)),
    );
    this.holdHostOpenWhileBusy();
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  call<T>(method: string, args: unknown[], kind: CallKind): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const limitMs = Math.min(PKCS11_CALL_LIMITS_MS[kind], this.options.maxCallMs ?? Infinity);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.hung(method, limitMs), limitMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.holdHostOpenWhileBusy();
      this.child.send({ id, method, args });
    });
  }

  /** Ends the process: politely once its calls are done (the module was finalised), by SIGKILL after a hang. */
  stop(): void {
    this.end(new EidBridgeError('CARD_ERROR', 'The PKCS#11 backend was closed'));
    if (this.child.connected) this.child.disconnect();
  }

  /** Ends the calls under way with `error` and the process with SIGKILL, wherever it is. */
  kill(error: EidBridgeError): void {
    if (this.ended) return;
    this.end(error);
    // Only the kernel can end a call that does not return. pcscd sees its client gone and releases the card.
    processesBeingKilled++;
    this.child.once('exit', () => processesBeingKilled--);
    this.child.kill('SIGKILL');
  }

  private hung(call: string, limitMs: number): void {
    this.kill(moduleHungError(call, limitMs));
    this.options.onHung?.({ call, limitMs, at: new Date() });
  }

  private end(error: EidBridgeError): void {
    if (this.ended) return;
    this.ended = error;
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    this.pending.clear();
    this.holdHostOpenWhileBusy();
  }

  /** An idle child (and its channel) must not keep the host's event loop alive on its own. */
  private holdHostOpenWhileBusy(): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (this.pending.size > 0) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
  }
}

/** The calls, forwarded to a module process with their time limits. */
class ProcessModule implements Pkcs11Module {
  constructor(private readonly process: ModuleProcess) {}

  C_GetInfo = () => this.process.call<pkcs11js.ModuleInfo>('C_GetInfo', [], 'read');
  C_GetSlotList = (tokenPresent: boolean) => this.process.call<Handle[]>('C_GetSlotList', [tokenPresent], 'read');
  C_GetSlotInfo = (slot: Handle) => this.process.call<pkcs11js.SlotInfo>('C_GetSlotInfo', [slot], 'read');
  C_GetTokenInfo = (slot: Handle) => this.process.call<pkcs11js.TokenInfo>('C_GetTokenInfo', [slot], 'read');
  C_GetMechanismList = (slot: Handle) => this.process.call<number[]>('C_GetMechanismList', [slot], 'read');
  C_OpenSession = (slot: Handle, flags: number) => this.process.call<Handle>('C_OpenSession', [slot, flags], 'read');
  C_CloseSession = (session: Handle) => this.process.call<void>('C_CloseSession', [session], 'read');
  C_Login = (session: Handle, userType: number, pin: string, kind: 'login' | 'loginByPerson') =>
    this.process.call<void>('C_Login', [session, userType, pin], kind);
  C_Logout = (session: Handle) => this.process.call<void>('C_Logout', [session], 'read');
  C_FindObjectsInit = (session: Handle, template: pkcs11js.Template) => this.process.call<void>('C_FindObjectsInit', [session, template], 'read');
  C_FindObjects = (session: Handle, maxObjects: number) => this.process.call<Handle[]>('C_FindObjects', [session, maxObjects], 'read');
  C_FindObjectsFinal = (session: Handle) => this.process.call<void>('C_FindObjectsFinal', [session], 'read');
  C_GetAttributeValue = (session: Handle, object: Handle, template: pkcs11js.Template) =>
    this.process.call<pkcs11js.Template>('C_GetAttributeValue', [session, object, template], 'read');
  C_SignInit = (session: Handle, mechanism: pkcs11js.Mechanism, key: Handle) => this.process.call<void>('C_SignInit', [session, mechanism, key], 'read');
  C_Sign = (session: Handle, data: Buffer, signatureBytes: number) =>
    this.process.call<Buffer>('C_Sign', [session, data, Buffer.alloc(signatureBytes)], 'sign');

  isOpen(): boolean {
    return this.process.alive;
  }

  async close(ownsInitialization: boolean): Promise<void> {
    if (ownsInitialization && this.process.alive) {
      try {
        await this.process.call('C_Finalize', [], 'read');
      } catch {
        // Closing after the operation's own outcome: nothing useful to add.
      }
    }
    this.process.stop();
  }

  cancel(): void {
    this.process.kill(new EidBridgeError('USER_CANCELLED', 'The request was cancelled'));
  }
}

/** The calls in the host's own process: for the packaged executable, where no child can run pkcs11js. */
class InProcessModule implements Pkcs11Module {
  constructor(private readonly pkcs11: pkcs11js.PKCS11) {}

  C_GetInfo = async () => this.pkcs11.C_GetInfo();
  C_GetSlotList = async (tokenPresent: boolean) => this.pkcs11.C_GetSlotList(tokenPresent);
  C_GetSlotInfo = async (slot: Handle) => this.pkcs11.C_GetSlotInfo(slot);
  C_GetTokenInfo = async (slot: Handle) => this.pkcs11.C_GetTokenInfo(slot);
  C_GetMechanismList = async (slot: Handle) => this.pkcs11.C_GetMechanismList(slot);
  C_OpenSession = async (slot: Handle, flags: number) => this.pkcs11.C_OpenSession(slot, flags);
  C_CloseSession = async (session: Handle) => this.pkcs11.C_CloseSession(session);
  C_Login = async (session: Handle, userType: number, pin: string) => this.pkcs11.C_Login(session, userType, pin);
  C_Logout = async (session: Handle) => this.pkcs11.C_Logout(session);
  C_FindObjectsInit = async (session: Handle, template: pkcs11js.Template) => this.pkcs11.C_FindObjectsInit(session, template);
  C_FindObjects = async (session: Handle, maxObjects: number) => this.pkcs11.C_FindObjects(session, maxObjects);
  C_FindObjectsFinal = async (session: Handle) => this.pkcs11.C_FindObjectsFinal(session);
  C_GetAttributeValue = async (session: Handle, object: Handle, template: pkcs11js.Template) => this.pkcs11.C_GetAttributeValue(session, object, template);
  C_SignInit = async (session: Handle, mechanism: pkcs11js.Mechanism, key: Handle) => this.pkcs11.C_SignInit(session, mechanism, key);
  // On libuv's thread pool, so the host's main thread goes on while the card signs.
  C_Sign = (session: Handle, data: Buffer, signatureBytes: number) => this.pkcs11.C_SignAsync(session, data, Buffer.alloc(signatureBytes));

  isOpen(): boolean {
    return true;
  }

  async close(ownsInitialization: boolean): Promise<void> {
    if (ownsInitialization) {
      try {
        this.pkcs11.C_Finalize();
      } catch {
        // As above.
      }
    }
  }

  cancel(): void {
    // A synchronous call cannot be interrupted; the operation checks the signal between calls.
  }
}

const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;

function isAlreadyInitialized(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === CKR_CRYPTOKI_ALREADY_INITIALIZED;
}

/** Why a module could not be opened: the step and pkcs11js's message. */
export class ModuleOpenError extends Error {
  constructor(
    readonly step: 'load' | 'initialise',
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Loads and initialises the module at `path`, in a new process when it can.
 * Throws ModuleOpenError when the module cannot be loaded or initialised,
 * PKCS11_MODULE_HUNG when it does not answer, or a refusal when too many
 * killed processes have not exited yet.
 */
export async function openPkcs11Module(path: string, options: ModuleProcessOptions = {}): Promise<OpenedModule> {
  const command = options.inProcess ? undefined : childCommand();
  if (command === undefined) return openInProcess(path);
  if (processesBeingKilled >= MAX_PROCESSES_BEING_KILLED) {
    throw new EidBridgeError(
      'PKCS11_MODULE_HUNG',
      `The card module (PKCS#11) stopped answering and ${processesBeingKilled} of its processes have not ended yet. ${MODULE_HUNG_HINT}`,
      { hint: MODULE_HUNG_HINT },
    );
  }
  const child = new ModuleProcess(command, options);
  const module = new ProcessModule(child);
  try {
    await child.call('load', [path], 'start');
  } catch (e) {
    child.stop();
    if (e instanceof EidBridgeError) throw e;
    throw new ModuleOpenError('load', e);
  }
  try {
    // OS locking: the module may be called from more than one thread (pkcs11js's own async calls).
    await child.call('C_Initialize', [{ flags: pkcs11js.CKF_OS_LOCKING_OK }], 'start');
    return { module, ownsInitialization: true };
  } catch (e) {
    if (isAlreadyInitialized(e)) return { module, ownsInitialization: false };
    child.stop();
    if (e instanceof EidBridgeError) throw e;
    throw new ModuleOpenError('initialise', e);
  }
}

function openInProcess(path: string): OpenedModule {
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(path);
  } catch (e) {
    throw new ModuleOpenError('load', e);
  }
  try {
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    return { module: new InProcessModule(pkcs11), ownsInitialization: true };
  } catch (e) {
    if (isAlreadyInitialized(e)) return { module: new InProcessModule(pkcs11), ownsInitialization: false };
    try {
      pkcs11.close();
    } catch {
      // Already failing.
    }
    throw new ModuleOpenError('initialise', e);
  }
}
