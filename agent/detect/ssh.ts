// SSH: the identification strings both sides send first, "SSH-protoversion-softwareversion SP comments".
// https://www.rfc-editor.org/rfc/rfc4253#section-4.2 . Everything after them is encrypted, so the
// authentication method (publickey, password, …) is not visible: auth = unknown.
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii, indexOfByte, lineEnd, startsWith } from './text.js';

/** rfc4253 §4.2: the line is at most 255 characters including CR LF. */
const MAX_BANNER = 255;
const MAX_SOFTWARE = 64;

export function looksLikeSsh(buf: Uint8Array, off: number, end: number): boolean {
  return startsWith(buf, off, end, 'SSH-') && end - off >= 8 && (startsWith(buf, off + 4, end, '2.0-') || startsWith(buf, off + 4, end, '1.'));
}

export function sshStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.ssh;
  s.app[f] = App.ssh;
  s.enc[f] = Enc.ssh;
  s.auth[f] = Auth.unknown;
}

/** A packet of direction d: when it starts with the identification string, keep its software part. */
export function sshPacket(s: DetectState, f: number, d: number, fromOrig: boolean, buf: Uint8Array, off: number, end: number): void {
  s.dirDone[d] = 1;
  if (looksLikeSsh(buf, off, end)) {
    const lim = Math.min(end, off + MAX_BANNER);
    let le = lineEnd(buf, off, lim);
    if (le < 0) le = lim;
    const dash = indexOfByte(buf, off + 4, le, 0x2d); // after protoversion
    if (dash > 0) {
      const sw = ascii(buf, dash + 1, le, MAX_SOFTWARE);
      const det = detailsOf(s, f);
      if (fromOrig) det.ssh_client = sw;
      else det.ssh_server = sw;
    }
  }
  if (s.dirDone[f * 2] === 1 && s.dirDone[f * 2 + 1] === 1) finish(s, f);
}
