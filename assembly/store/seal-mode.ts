// Whether slot records are being sealed (a PIN is set): read by the log's capacity rule (sealed
// records are up to 16 bytes larger, so more of a sector's tail may go unused) and by sealed.ts.
export let sealingOn = false;

export function setSealingOn(on: bool): void {
  sealingOn = on;
}
