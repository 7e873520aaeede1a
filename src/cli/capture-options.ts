/**
 * The capture options every command that runs a lab accepts (send, ping, test, run, replay):
 *   --pcap <file>                 write what the capture points see to <file>
 *   --point <iface>[:<Point>]     which points (repeat, or comma-separate); default every point
 *   --format pcapng|pcap|pcap-ns  default: pcap for a *.pcap file name, else pcapng
 *   --capture-filter <k=v,...>    pktcap-uw style filter (mac, srcmac, dstmac, vlan, ethtype, ip, srcip, dstip, proto, dir)
 *
 * Wiring a command (labs made with `wallClockStartMs: Date.now()`, so packets carry real dates):
 *   const options = parseCaptureOptions(values);              // with the other options: bad ones exit 2 early
 *   ... load the topology, createLab, check the interfaces and the frame ...
 *   const capture = startCliCapture(lab, options);            // bad --point: exit 2, no file made
 *   return withCliCapture(capture, () => { ...run, print...; return code; });
 * withCliCapture ends the capture and prints its summary on stderr (stdout stays one JSON
 * document with --json); if the body throws (bad input found while running), the file is removed.
 * For a command that runs one fresh lab after another (test, run): `createLab: labSeries(lab, make, capture)`.
 */
import { unlinkSync } from 'node:fs';
import type { Lab } from '../engine/index.js';
import type { TopologyDoc } from '../topology/schema.js';
import { CaptureFilterError, parseCaptureFilter, type CaptureFilterSpec } from '../capture/capture-filter.js';
import { CaptureSelectError } from '../capture/capture-points.js';
import { CAPTURE_FORMATS, CaptureSession, captureFormatOfPath, type CaptureFormatName } from '../capture/capture-session.js';
import { UsageError } from './cli-args.js';

/** node:util parseArgs options to merge into a command's options. */
export const CAPTURE_OPTIONS = {
  pcap: { type: 'string' },
  point: { type: 'string', multiple: true },
  format: { type: 'string' },
  'capture-filter': { type: 'string' },
} as const;

export const CAPTURE_OPTIONS_HELP = `capture (pktcap-uw style points, written as the lab runs):
  --pcap <file>             write a capture file (Wireshark, tshark, capinfos open it)
  --point <iface>[:<Point>] capture points: web-01:eth0 (both its points), esxi-01:vmnic0:UplinkSnd,
                            a Point on every interface (UplinkRcv), a node (esxi-01), or Drop;
                            repeat or comma-separate; default every point. Points: PortInput,
                            PortOutput (vNIC, vmk), UplinkRcv, UplinkSnd (vmnic), PhysRx, PhysTx
                            (switch port), HostRx, HostTx (physical host NIC), Drop (every drop)
  --format <f>              pcapng (default; keeps comments, packet ids, directions, points),
                            pcap (microseconds) or pcap-ns (nanoseconds); a *.pcap name means pcap
  --capture-filter <k=v,..> only matching packets: mac= srcmac= dstmac= vlan= ethtype= ip= srcip=
                            dstip= proto= dir=in|out, e.g. vlan=10,proto=icmp`;

/** The values parseArgs returns for CAPTURE_OPTIONS. */
export interface CaptureOptionValues {
  pcap?: string | undefined;
  point?: string[] | undefined;
  format?: string | undefined;
  'capture-filter'?: string | undefined;
}

export interface CliCaptureOptions {
  file: string;
  /** selectors as given (empty: every point) */
  points: string[];
  format: CaptureFormatName;
  /** true when the format came from --format (false: from the file name) */
  formatGiven: boolean;
  filter?: CaptureFilterSpec;
}

/** Checks the capture options; null when --pcap is not given. Throws UsageError (exit 2). */
export function parseCaptureOptions(values: CaptureOptionValues): CliCaptureOptions | null {
  const points = (values.point ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  if (values.pcap === undefined) {
    const stray = [values.point !== undefined ? '--point' : '', values.format !== undefined ? '--format' : '', values['capture-filter'] !== undefined ? '--capture-filter' : ''].filter((s) =>
      s !== ''
    );
    if (stray.length > 0) throw new UsageError(`${stray.join(', ')} ${stray.length === 1 ? 'needs' : 'need'} --pcap <file>`);
    return null;
  }
  const file = values.pcap.trim();
  if (file === '') throw new UsageError('--pcap needs a file name');
  let format: CaptureFormatName;
  if (values.format !== undefined) {
    const f = values.format.trim().toLowerCase();
    if (!(CAPTURE_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format: "${values.format}" is not ${CAPTURE_FORMATS.join(', ')}`);
    format = f as CaptureFormatName;
  } else format = captureFormatOfPath(file);
  const out: CliCaptureOptions = { file, points, format, formatGiven: values.format !== undefined };
  if (values['capture-filter'] !== undefined) {
    try {
      out.filter = parseCaptureFilter(values['capture-filter']);
    } catch (err) {
      if (err instanceof CaptureFilterError) throw new UsageError(`--capture-filter: ${err.message}`);
      throw err;
    }
  }
  return out;
}

export interface CliCapture {
  /** the session; null when no capture was asked for */
  readonly session: CaptureSession | null;
  /** Moves the capture to a fresh lab of the same topology (one lab per test); returns the lab. */
  attach<L extends Lab>(lab: L): L;
  /** Ends the capture and closes the file. Idempotent. */
  stop(): void;
  /** Ends the capture and removes the file (the command stopped on bad input). Idempotent. */
  abort(): void;
  /** One line for stderr (`captured 12 packets ... to out.pcapng (pcapng)`); '' when no capture. */
  summary(): string;
}

const NO_CAPTURE: CliCapture = {
  session: null,
  attach: (lab) => lab,
  stop: () => {},
  abort: () => {},
  summary: () => '',
};

/**
 * Starts capturing on `lab` as the options say (no-op when `options` is null). Unknown points
 * and an unwritable file are UsageErrors (exit 2) naming what exists. Choosing classic pcap
 * prints, on `warn` (stderr), what the file will lack.
 */
export function startCliCapture(lab: Lab, options: CliCaptureOptions | null, warn: (line: string) => void = (l) => console.error(l)): CliCapture {
  if (options === null) return NO_CAPTURE;
  let session: CaptureSession;
  try {
    session = new CaptureSession(lab, {
      file: options.file,
      format: options.format,
      ...(options.points.length > 0 ? { points: options.points } : {}),
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
    });
  } catch (err) {
    if (err instanceof CaptureSelectError) throw new UsageError(`--point: ${err.message}`);
    if (err instanceof CaptureFilterError) throw new UsageError(`--capture-filter: ${err.message}`);
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string') throw new UsageError(`--pcap: cannot write ${options.file}: ${(err as Error).message}`);
    throw err;
  }
  if (options.format !== 'pcapng') {
    const why = options.formatGiven ? `--format ${options.format}` : `${options.file} is a .pcap name, so it`;
    warn(
      `vswitch-lab: note: ${why} writes classic pcap: packet comments (what the vSwitch decided and why), packet ids, ` +
        `directions and capture point names are lost, and all ${session.points.length} points merge into one stream; use --format pcapng to keep them`,
    );
  }
  return {
    session,
    attach: (next) => {
      session.attach(next);
      return next;
    },
    stop: () => session.stop(),
    abort: () => {
      session.stop();
      try {
        unlinkSync(options.file);
      } catch {
        // already gone, or never ours to remove: nothing to do
      }
    },
    summary: () => session.summary(),
  };
}

/**
 * Runs a command's body with the capture on: afterwards the capture is ended and its summary
 * goes to stderr; if the body throws, the capture is aborted (its file removed) and the error
 * goes on to the command's handler.
 */
export async function withCliCapture<T>(capture: CliCapture, body: () => T | Promise<T>, print: (line: string) => void = (l) => console.error(l)): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    capture.abort();
    throw err;
  }
  capture.stop();
  if (capture.summary()) print(capture.summary());
  return result;
}

/**
 * A `createLab` for a command that runs one fresh lab after another (a lab per test, per
 * scenario): the first call returns `first` (the lab the capture started on; nothing may have run
 * on it yet), every later call a new lab from `make`, with the capture moved to it, so one file
 * holds every lab in turn.
 */
export function labSeries(first: Lab, make: (topology: TopologyDoc) => Lab, capture: CliCapture): (topology: TopologyDoc) => Lab {
  let handedOut = false;
  return (topology) => {
    if (!handedOut) {
      handedOut = true;
      return first;
    }
    return capture.attach(make(topology));
  };
}
