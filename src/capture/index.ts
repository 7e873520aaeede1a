/**
 * src/capture: capture points (O1) -> pcapng / pcap files and streams; pcap and pcapng readers;
 * replay of a capture into a lab.
 */
export * from './capture-file.js';
export { CaptureFormatError } from './capture-format-error.js';
export { PcapngWriter, openPcapngFile } from './pcapng-writer.js';
export type { PcapngInterfaceSpec, PcapngShbOptions, PcapngWriterOptions, PcapngFileWriter } from './pcapng-writer.js';
export { PcapWriter, openPcapFile, PCAP_LOSSY } from './pcap-writer.js';
export type { PcapWriterOptions, PcapFileWriter, PcapResolution, PcapLossyField } from './pcap-writer.js';
export { readCapture, sniffCaptureFormat } from './read-capture.js';
export type { CaptureFormat } from './read-capture.js';
export { readPcap } from './pcap-reader.js';
export { readPcapng } from './pcapng-reader.js';
export * from './capture-points.js';
export * from './capture-filter.js';
export * from './capture-session.js';
export * from './replay.js';
export { LiveCaptureStream } from './live-stream.js';
export type { LiveCaptureStreamOptions, LivePacket } from './live-stream.js';
export { streamCapture } from './capture-stream.js';
