// otpauth:// URIs (the Key Uri Format that authenticators put in QR codes).
import { decodeBase32 } from "./base32.js";
import {
  Credential, OtpType, checkCounter, checkDigits, checkPeriod, makeCredential, parseAlgorithm, parseIntegerField,
} from "./credential.js";
import { ParseError, describeValue } from "./errors.js";

function decodeComponent(text: string, what: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    throw new ParseError(`otpauth URI: the ${what} has a broken %-escape`);
  }
}

/** Parses one otpauth://totp/... or otpauth://hotp/... URI. */
export function parseOtpauthUri(uri: string): Credential {
  const text = uri.trim();
  const match = /^otpauth:\/\/([^/?#]*)\/([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
  if (!match) {
    if (/^otpauth-migration:/i.test(text)) {
      throw new ParseError("this is a Google Authenticator export (otpauth-migration://); use 'accounts import'");
    }
    throw new ParseError("not an otpauth:// URI (expected otpauth://totp/LABEL?secret=...)");
  }
  const typeText = match[1].toLowerCase();
  if (typeText !== "totp" && typeText !== "hotp") {
    throw new ParseError(`otpauth URI: unsupported type ${describeValue(match[1])} (totp or hotp)`);
  }
  const type = typeText as OtpType;
  const label = decodeComponent(match[2], "label");
  const params = new Map<string, string>();
  for (const pair of (match[3] ?? "").split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1), `parameter ${describeValue(key)}`);
    if (params.has(key)) throw new ParseError(`otpauth URI: parameter ${describeValue(key)} appears twice`);
    params.set(key, value);
  }
  const secretText = params.get("secret");
  if (secretText === undefined || secretText.trim() === "") throw new ParseError("otpauth URI: the secret parameter is missing");
  const secret = decodeBase32(secretText);

  let labelIssuer = "";
  let account = label;
  const colon = label.indexOf(":");
  if (colon >= 0) {
    labelIssuer = label.slice(0, colon).trim();
    account = label.slice(colon + 1).trim();
  }
  const issuerParam = params.get("issuer")?.trim();
  // The parameter wins when both are present (the Key Uri Format recommends they agree).
  const issuer = issuerParam || labelIssuer;

  const algorithm = params.has("algorithm") ? parseAlgorithm(params.get("algorithm")!) : "SHA1";
  const digits = params.has("digits") ? checkDigits(parseIntegerField(params.get("digits")!, "digits")) : 6;
  const periodSeconds = params.has("period") ? checkPeriod(parseIntegerField(params.get("period")!, "period")) : 30;
  let counter = 0;
  if (type === "hotp") {
    if (!params.has("counter")) throw new ParseError("otpauth URI: hotp needs a counter parameter");
    counter = checkCounter(parseIntegerField(params.get("counter")!, "counter"));
  }
  return makeCredential({ type, issuer, account, secret, algorithm, digits, periodSeconds, counter });
}
