// A minimal protobuf wire-format reader: enough for the Google Authenticator export payload.
import { ParseError } from "./errors.js";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  fieldNumber: number;
  wireType: number;
  /** Varints as BigInt (int64 counters do not fit a double); fixed values as raw bytes. */
  varint?: bigint;
  bytes?: Uint8Array;
}

export class ProtoReader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  readVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.data.length) throw new ParseError("protobuf: truncated varint");
      const byte = this.data[this.offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & 0xffffffffffffffffn;
      shift += 7n;
    }
    throw new ParseError("protobuf: varint longer than 10 bytes");
  }

  private take(length: number): Uint8Array {
    if (length > this.data.length - this.offset) throw new ParseError("protobuf: field runs past the end of the payload");
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  readField(): ProtoField {
    const key = this.readVarint();
    const fieldNumber = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (fieldNumber === 0) throw new ParseError("protobuf: field number 0");
    switch (wireType) {
      case WIRE_VARINT:
        return { fieldNumber, wireType, varint: this.readVarint() };
      case WIRE_FIXED64:
        return { fieldNumber, wireType, bytes: this.take(8) };
      case WIRE_BYTES: {
        const length = this.readVarint();
        if (length > BigInt(this.data.length)) throw new ParseError("protobuf: field runs past the end of the payload");
        return { fieldNumber, wireType, bytes: this.take(Number(length)) };
      }
      case WIRE_FIXED32:
        return { fieldNumber, wireType, bytes: this.take(4) };
      default:
        throw new ParseError(`protobuf: unsupported wire type ${wireType}`);
    }
  }

  /** All fields of a message, in order. */
  static fields(data: Uint8Array): ProtoField[] {
    const reader = new ProtoReader(data);
    const fields: ProtoField[] = [];
    while (!reader.done) fields.push(reader.readField());
    return fields;
  }
}
