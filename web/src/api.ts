/**
 * HTTP client of the server's API. Every route the UI uses is named here, once. Errors become an
 * `ApiFailure` carrying the server's `{ error, details }` body, so panels can show the message
 * next to the field it names.
 */
import type {
  ApiErrorBody,
  CaptureStatus,
  ChangeResponse,
  ClockMode,
  ClockState,
  DecodedFrame,
  EndpointArpEntry,
  EndpointNeighbourEntry,
  ExampleInfo,
  ExplainJson,
  FrameSpec,
  Issue,
  LoadTopologyRequest,
  MacTableRow,
  PingPending,
  PingRequest,
  PingResponse,
  InterfaceInfo,
  PolicyResponse,
  PortCounters,
  PortGroupRow,
  RuntimeChange,
  SendFrameRequest,
  SendFrameResponse,
  StepResponse,
  TopologyState,
  VSwitchRow,
  VmknicRow,
} from './model.js';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error);
    this.name = 'ApiFailure';
  }
}

/** Bearer token when the server needs one: `?token=` in the page URL (kept for the session). */
export function apiToken(): string | undefined {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('vswitch-lab-token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('vswitch-lab-token') ?? undefined;
}

let liveClient: string | undefined;
/**
 * The page's socket.io client id (live.ts sets it on connect): sent with every request so that
 * the frames this page sends and its pings' frames are never summarised in its live batches.
 */
export function setLiveClient(id: string | undefined): void {
  liveClient = id;
}

/** A read about a lab another client has replaced: the server answered 204 (nothing to show of it). */
export class LabReplaced extends ApiFailure {
  constructor() {
    super(204, { error: 'the lab was replaced by another client' });
    this.name = 'LabReplaced';
  }
}

let labGeneration: number | undefined;
/**
 * The generation of the lab this page shows (main sets it when a topology arrives): requests about
 * the lab carry it in `X-Lab-Generation`, and the server refuses them once another client replaced
 * that lab (a read 204, a change 409, nothing changed), checked in the same turn as the route runs.
 */
export function setLabGeneration(g: number): void {
  labGeneration = g;
}

function headers(json: boolean, lab: boolean): HeadersInit {
  // X-Vswitch-Lab: the server refuses a state-changing request with neither a JSON body nor this
  // header (a page on another origin cannot add it without a CORS preflight the server never grants)
  const h: Record<string, string> = { accept: 'application/json', 'x-vswitch-lab': '1' };
  if (json) h['content-type'] = 'application/json';
  const t = apiToken();
  if (t) h.authorization = `Bearer ${t}`;
  if (liveClient) h['x-vswitch-lab-live'] = liveClient;
  if (lab && labGeneration !== undefined) h['x-lab-generation'] = String(labGeneration);
  return h;
}

/** `lab`: the request is about the lab this page shows (sent with its generation). */
async function request<T>(method: string, path: string, body?: unknown, lab = false): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: headers(body !== undefined, lab), body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiFailure(0, { error: `the server does not answer (${err instanceof Error ? err.message : String(err)})` });
  }
  if (lab && res.status === 204) throw new LabReplaced();
  const text = await res.text();
  let value: unknown = undefined;
  if (text !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
  }
  if (!res.ok) {
    const b = value as Partial<ApiErrorBody> | undefined;
    throw new ApiFailure(res.status, { error: typeof b?.error === 'string' ? b.error : `${res.status} ${res.statusText}`, details: b?.details });
  }
  return value as T;
}

/** The path of a route with query parameters. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Decoded layers of a frame, as src/wire/decode.ts describes them (POST /api/decode). */
export type { DecodedField, DecodedFrame, DecodedLayer } from './model.js';

export const api = {
  topology: () => request<TopologyState>('GET', '/api/topology'),
  loadTopology: (req: LoadTopologyRequest) => request<TopologyState>('POST', '/api/topology', req),
  validateTopology: (req: LoadTopologyRequest) => request<{ ok: boolean; errors: Issue[]; warnings: Issue[] }>('POST', '/api/topology/validate', req),
  examples: () => request<ExampleInfo[]>('GET', '/api/examples'),
  send: (req: SendFrameRequest) => request<SendFrameResponse>('POST', '/api/frames', req, true),
  /** 200 with the result when the ping is over; 202 PingPending while the clock is paused/stepped (the result then comes over socket.io). */
  ping: (req: PingRequest) => request<PingResponse | PingPending>('POST', '/api/ping', req, true),
  explain: (from: string, frame: FrameSpec) => request<ExplainJson>('POST', '/api/explain', { from, frame }, true),
  decode: (hex: string) => request<DecodedFrame>('POST', '/api/decode', { hex }),
  clock: () => request<ClockState>('GET', '/api/clock'),
  setClock: (mode: ClockMode) => request<ClockState>('POST', '/api/clock', { mode }),
  step: (count = 1) => request<StepResponse>('POST', '/api/clock/step', { count }),
  counters: (iface: string) => request<PortCounters>('GET', `/api/counters/${encodeURIComponent(iface)}`, undefined, true),
  macTable: (sw: string) => request<MacTableRow[]>('GET', `/api/mac-tables/${encodeURIComponent(sw)}`, undefined, true),
  interfaces: () => request<InterfaceInfo[]>('GET', '/api/interfaces', undefined, true),
  interfaceInfo: (iface: string) => request<InterfaceInfo>('GET', `/api/interfaces/${encodeURIComponent(iface)}`, undefined, true),
  arpCache: (iface: string) => request<EndpointArpEntry[]>('GET', `/api/arp/${encodeURIComponent(iface)}`, undefined, true),
  /** E4: an endpoint's IPv6 neighbour cache (empty when IPv6 is off there) */
  neighbours: (iface: string) => request<EndpointNeighbourEntry[]>('GET', `/api/neighbours/${encodeURIComponent(iface)}`, undefined, true),
  vswitches: (host: string) => request<VSwitchRow[]>('GET', withQuery('/api/esxcli/vswitches', { host }), undefined, true),
  portGroups: (host: string) => request<PortGroupRow[]>('GET', withQuery('/api/esxcli/portgroups', { host }), undefined, true),
  vmknics: (host: string) => request<VmknicRow[]>('GET', withQuery('/api/esxcli/vmknics', { host }), undefined, true),
  /** A runtime change of the running lab (409 with the engine's reason when it refuses: nothing changed). */
  change: (c: RuntimeChange) => request<ChangeResponse>('POST', '/api/changes', c, true),
  /** Effective policy of a vSwitch or a port group, each value with its source, on the current topology. */
  policy: (q: { host: string; vswitch: string } | { host: string; portGroup: string }) => request<PolicyResponse>('GET', withQuery('/api/policy', q), undefined, true),
  captureStatus: () => request<CaptureStatus>('GET', '/api/capture/points'),
  clearCapture: () => request<unknown>('DELETE', '/api/capture'),
};

/** URL of a capture download (or the live stream) for the chosen points. */
export function captureUrl(points: readonly string[], format: 'pcapng' | 'pcap', live: boolean): string {
  return withQuery(live ? '/api/capture/live' : '/api/capture/download', { points: points.join(','), format });
}

/** Any route of the API (panels with routes of their own: the Lessons tab). */
export function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body);
}
