// I2C device models for the board's bus: an SSD1306 OLED (captures its framebuffer) and a DS3231
// RTC (a settable clock that runs with emulated time). They speak the byte-level protocol the
// firmware drives through rp2040js's I2C controller.

export interface I2CDevice {
  /** A start (or repeated start) addressed to this device; `read` for a read transfer. */
  start(read: boolean): void;
  /** A byte written by the controller; false to NACK it. */
  write(byte: number): boolean;
  read(): number;
  stop(): void;
}

/** SSD1306 in horizontal addressing mode: commands after a 0x00 control byte, GDDRAM after 0x40. */
export class Ssd1306 implements I2CDevice {
  readonly widthPx = 128;
  readonly ram = new Uint8Array(128 * 8); // 8 pages of 128 columns
  displayOn = false;
  /** Completed data writes (a frame update is one). */
  dataWrites = 0;
  commandLog: number[] = [];
  private firstByte = true;
  private dataMode = false;
  private pendingCommand: number[] = [];
  private column = 0;
  private page = 0;
  private columnStart = 0;
  private columnEnd = 127;
  private pageStart = 0;
  private pageEnd = 7;

  start(): void {
    this.firstByte = true;
  }

  write(byte: number): boolean {
    if (this.firstByte) {
      this.firstByte = false;
      this.dataMode = (byte & 0x40) !== 0;
      return true;
    }
    if (this.dataMode) this.writeData(byte);
    else this.writeCommand(byte);
    return true;
  }

  read(): number {
    return 0xff;
  }

  /** Called after each completed data write with the addressed window's bytes (a frame update). */
  onFrame: ((frame: Uint8Array, widthPx: number, heightPx: number) => void) | null = null;

  stop(): void {
    if (!this.dataMode || this.firstByte) return;
    this.dataWrites++;
    if (this.onFrame) {
      const pages = this.pageEnd - this.pageStart + 1;
      const columns = this.columnEnd - this.columnStart + 1;
      const frame = new Uint8Array(columns * pages);
      for (let page = 0; page < pages; page++) {
        const row = (this.pageStart + page) * this.widthPx;
        frame.set(this.ram.subarray(row + this.columnStart, row + this.columnEnd + 1), page * columns);
      }
      this.onFrame(frame, columns, pages * 8);
    }
  }

  /** Pixel at (x, y): true when lit. */
  pixel(x: number, y: number): boolean {
    return (this.ram[(y >> 3) * this.widthPx + x] & (1 << (y & 7))) !== 0;
  }

  /** Frame bytes in the ABI's display_frame layout for the first `heightPx` rows. */
  frame(heightPx = 64): Uint8Array {
    return this.ram.slice(0, (this.widthPx * heightPx) / 8);
  }

  private writeData(byte: number): void {
    this.ram[this.page * this.widthPx + this.column] = byte;
    if (this.column < this.columnEnd) {
      this.column++;
    } else {
      this.column = this.columnStart;
      this.page = this.page < this.pageEnd ? this.page + 1 : this.pageStart;
    }
  }

  private writeCommand(byte: number): void {
    this.commandLog.push(byte);
    this.pendingCommand.push(byte);
    const [command] = this.pendingCommand;
    const argumentBytes: Record<number, number> = {
      0x20: 1, 0x21: 2, 0x22: 2, 0x81: 1, 0x8d: 1, 0xa8: 1, 0xd3: 1, 0xd5: 1, 0xd9: 1, 0xda: 1, 0xdb: 1,
    };
    if (this.pendingCommand.length - 1 < (argumentBytes[command] ?? 0)) return;
    const args = this.pendingCommand.slice(1);
    this.pendingCommand = [];
    if (command === 0xaf) this.displayOn = true;
    if (command === 0xae) this.displayOn = false;
    if (command === 0x21) {
      [this.columnStart, this.columnEnd] = [args[0] & 0x7f, args[1] & 0x7f];
      this.column = this.columnStart;
    }
    if (command === 0x22) {
      [this.pageStart, this.pageEnd] = [args[0] & 7, args[1] & 7];
      this.page = this.pageStart;
    }
  }
}

const bcd = (value: number) => ((Math.floor(value / 10) << 4) | (value % 10)) & 0xff;
const fromBcd = (value: number) => (value >> 4) * 10 + (value & 0x0f);

/** DS3231: time registers 0x00..0x06 (BCD), status 0x0F with the oscillator-stop flag. */
export class Ds3231 implements I2CDevice {
  /** Seconds since 1970 at `baseMicros` of emulated time. */
  private baseSeconds = 0;
  private baseMicros = 0;
  private status = 0x88; // OSF set: a fresh chip holds no valid time
  private pointer = 0;
  private expectPointer = false;
  private timeWritten = false;
  private registers: number[] = [];
  /** Writes that set the time, for tests. */
  timeWrites = 0;

  constructor(private readonly nowMicros: () => number) {}

  /** Sets the clock (a battery-backed module that is already running). */
  setTime(secondsSince1970: number): void {
    this.baseSeconds = secondsSince1970;
    this.baseMicros = this.nowMicros();
    this.status &= ~0x80;
  }

  /** The exact time in microseconds since 1970 (for carrying a battery-backed clock to a new
   *  board), or null when it holds none. */
  exactMicros(): number | null {
    if (this.status & 0x80) return null;
    return this.baseSeconds * 1e6 + (this.nowMicros() - this.baseMicros);
  }

  /** Sets the clock to an exact time (microseconds since 1970), keeping its sub-second phase. */
  setExactMicros(micros: number): void {
    const seconds = Math.floor(micros / 1e6);
    this.baseSeconds = seconds;
    this.baseMicros = this.nowMicros() - (micros - seconds * 1e6);
    this.status &= ~0x80;
  }

  /** The oscillator stops: the chip sets OSF and holds no valid time (a battery pulled). */
  loseTime(): void {
    this.status |= 0x80;
  }

  /** The clock's current time, or null when the oscillator-stop flag says it holds none. */
  timeSeconds(): number | null {
    if (this.status & 0x80) return null;
    return this.baseSeconds + Math.floor((this.nowMicros() - this.baseMicros) / 1e6);
  }

  start(read: boolean): void {
    this.expectPointer = !read;
    this.timeWritten = false;
    this.registers = this.snapshot(); // the chip latches the time at a start
  }

  write(byte: number): boolean {
    if (this.expectPointer) {
      this.pointer = byte % 0x13;
      this.expectPointer = false;
      return true;
    }
    this.registers[this.pointer] = byte;
    if (this.pointer <= 0x06) this.timeWritten = true;
    if (this.pointer === 0x0f) this.status = byte & 0x8f;
    this.pointer = (this.pointer + 1) % 0x13;
    return true;
  }

  read(): number {
    const value = this.registers[this.pointer];
    this.pointer = (this.pointer + 1) % 0x13;
    return value;
  }

  stop(): void {
    if (!this.timeWritten) return;
    const r = this.registers;
    const year = 2000 + (r[5] & 0x80 ? 100 : 0) + fromBcd(r[6]);
    this.baseSeconds = Date.UTC(year, fromBcd(r[5] & 0x1f) - 1, fromBcd(r[4] & 0x3f), fromBcd(r[2] & 0x3f),
      fromBcd(r[1] & 0x7f), fromBcd(r[0] & 0x7f)) / 1000;
    this.baseMicros = this.nowMicros();
    this.timeWritten = false;
    this.timeWrites++;
  }

  private snapshot(): number[] {
    const regs = new Array<number>(0x13).fill(0);
    const date = new Date((this.timeSeconds() ?? this.baseSeconds) * 1000);
    regs[0] = bcd(date.getUTCSeconds());
    regs[1] = bcd(date.getUTCMinutes());
    regs[2] = bcd(date.getUTCHours());
    regs[3] = date.getUTCDay() + 1;
    regs[4] = bcd(date.getUTCDate());
    const year = date.getUTCFullYear();
    regs[5] = bcd(date.getUTCMonth() + 1) | (year >= 2100 ? 0x80 : 0);
    regs[6] = bcd(year % 100);
    regs[0x0f] = this.status;
    return regs;
  }
}
