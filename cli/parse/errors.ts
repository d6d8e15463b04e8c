// Errors that carry a one-line message meant for the person at the terminal.

/** Input that cannot be turned into a credential: the message names the problem. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}
