// Device helpers between the protocol modules and the commands: choosing and opening a transport,
// unlocking, and finding credentials by a query.
import type { Transport } from "./transport/transport.js";
import { TransportError } from "./transport/transport.js";
import { AppletSelection, OathSession, ListedCredential, OathError } from "./oath.js";
import { ExtensionSession } from "./extension.js";

export interface Session {
  transport: Transport;
  oath: OathSession;
  /** The token's own applet; null when the token does not have it (a YubiKey, say). */
  extension: ExtensionSession | null;
  close(): Promise<void>;
}

/** A transport opener for one kind of device; `detect` lists what is present without opening. */
export interface TransportKind {
  kind: "sim" | "pcsc" | "hid" | string;
  detect(env: Record<string, string | undefined>): Promise<string[]>;
  open(target: string | undefined, env: Record<string, string | undefined>): Promise<Transport>;
}

export class DeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeviceError";
  }
}

/** Parses --device: "sim", "sim:/path", "pcsc", "pcsc:Reader name", "hid", "hid:/dev/hidraw3". */
export function parseDeviceSpec(spec: string): { kind: string; target?: string } {
  const colon = spec.indexOf(":");
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).toLowerCase();
  const target = colon < 0 ? undefined : spec.slice(colon + 1);
  return { kind, target: target === "" ? undefined : target };
}

/** Opens the device named by `spec`, or the only one present when `spec` is undefined. */
export async function openTransport(
  spec: string | undefined, kinds: TransportKind[], env: Record<string, string | undefined>,
): Promise<Transport> {
  if (spec !== undefined) {
    const { kind, target } = parseDeviceSpec(spec);
    const opener = kinds.find((candidate) => candidate.kind === kind);
    if (!opener) throw new DeviceError(`unknown device kind '${kind}' (use ${kinds.map((k) => k.kind).join(", ")})`);
    return opener.open(target, env);
  }
  const found: { kind: TransportKind; target: string }[] = [];
  const problems: string[] = [];
  for (const kind of kinds) {
    try {
      for (const target of await kind.detect(env)) found.push({ kind, target });
    } catch (error) {
      problems.push(`${kind.kind}: ${(error as Error).message}`);
    }
  }
  if (found.length === 0) {
    const detail = problems.length ? ` (${problems.join("; ")})` : "";
    throw new DeviceError(`no token found: start the simulator (totpkey-sim) or plug a token in${detail}`);
  }
  if (found.length > 1) {
    const names = found.map((entry) => `${entry.kind.kind}:${entry.target}`).join(", ");
    throw new DeviceError(`several tokens found (${names}); choose one with --device`);
  }
  return found[0].kind.open(found[0].target, env);
}

/**
 * Selects the applets and unlocks them. `password` is the one given on the command line; when the
 * token has one and none was given, `askPassword` is asked (a hidden prompt), once.
 */
export async function openSession(
  transport: Transport, givenPassword: string | undefined, askPassword?: () => Promise<string | null>,
): Promise<Session> {
  let password = givenPassword;
  const selection: AppletSelection = { current: null };
  const oath = new OathSession(transport, selection);
  try {
    await oath.select();
    if (oath.locked) {
      if (password === undefined) password = (await askPassword?.()) ?? undefined;
      if (password === undefined) throw new OathError("the token has an access password: type it at the prompt or set TOTPKEY_PASSWORD");
      await oath.validate(password);
    }
    // Each session re-selects its applet (and OATH unlocks again) when the other one was used last.
    const extension = await ExtensionSession.open(transport, selection, password);
    return { transport, oath, extension, close: () => transport.close() };
  } catch (error) {
    await transport.close();
    throw error;
  }
}

/** The extension applet, or a clear error for commands that need it. */
export function requireExtension(session: Session, what: string): ExtensionSession {
  if (!session.extension) throw new DeviceError(`${what} needs the totpkey applet, which this token does not have`);
  return session.extension;
}

/**
 * Finds one credential: an exact name first, else a case-insensitive substring of the name.
 * Throws a DeviceError naming the candidates when the query is ambiguous or matches nothing.
 */
export function findCredential(credentials: ListedCredential[], query: string): ListedCredential {
  const exact = credentials.find((credential) => credential.name === query);
  if (exact) return exact;
  const matches = filterCredentials(credentials, query);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new DeviceError(`no account matches '${query}'`);
  const names = matches.slice(0, 10).map((credential) => credential.name).join(", ");
  throw new DeviceError(`'${query}' matches ${matches.length} accounts (${names}); be more specific`);
}

export function filterCredentials<T extends { name: string }>(credentials: T[], query: string | undefined): T[] {
  if (query === undefined || query === "") return credentials;
  const needle = query.toLowerCase();
  return credentials.filter((credential) => credential.name.toLowerCase().includes(needle));
}

export { TransportError };
