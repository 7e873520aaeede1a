import { describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError } from '../../src/cli/cli-args.js';
import { FRAME_OPTIONS, frameErrorForCli, frameSpecFromOptions, normalizeFrameArgs } from '../../src/cli/frame-options.js';
import { FrameInputError } from '../../src/wire/index.js';

const spec = (...args: string[]) => frameSpecFromOptions(parseCommandArgs(normalizeFrameArgs(args), FRAME_OPTIONS).values);
const usage = (...args: string[]): string => {
  try {
    spec(...args);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`expected a UsageError for ${args.join(' ')}`);
};

describe('frame options -> FrameSpec', () => {
  it('each kind', () => {
    expect(spec('--hex', '00 11')).toEqual({ kind: 'hex', hex: '00 11' });
    expect(spec('--arp-request', '10.0.0.22', '--sender-ip', '10.0.0.9')).toEqual({ kind: 'arp-request', targetIp: '10.0.0.22', senderIp: '10.0.0.9' });
    expect(spec('--arp-reply', '10.0.0.21', '--target-mac', '00:50:56:a1:00:01')).toEqual({ kind: 'arp-reply', targetIp: '10.0.0.21', targetMac: '00:50:56:a1:00:01' });
    expect(spec('--gratuitous-arp')).toEqual({ kind: 'gratuitous-arp' });
    expect(spec('--rarp', '--vlan', '10')).toEqual({ kind: 'rarp', vlan: 10 });
    expect(spec('--icmp-echo', '10.0.0.22', '--size', '1472', '--df', '--id', '0x10', '--seq', '7', '--src-ip', '10.0.0.99')).toEqual({
      kind: 'icmp-echo',
      dstIp: '10.0.0.22',
      size: 1472,
      df: true,
      id: 16,
      seq: 7,
      srcIp: '10.0.0.99',
    });
    expect(spec('--udp', '10.0.0.22', '--dport', '514', '--sport', '5000', '--payload-hex', 'abcd')).toEqual({ kind: 'udp', dstIp: '10.0.0.22', dstPort: 514, srcPort: 5000, payloadHex: 'abcd' });
    expect(spec('--ethertype', '0x88b5', '--dst', '01:00:5e:00:00:01', '--src', '00:50:56:00:00:01', '--pcp', '5', '--vlan', '0')).toEqual({
      kind: 'ethernet',
      ethertype: 0x88b5,
      dst: '01:00:5e:00:00:01',
      src: '00:50:56:00:00:01',
      pcp: 5,
      vlan: 0,
    });
  });

  it('--gratuitous-arp takes an optional address, in either spelling', () => {
    expect(spec('--gratuitous-arp', '10.0.0.5')).toEqual({ kind: 'gratuitous-arp', ip: '10.0.0.5' });
    expect(spec('--gratuitous-arp=10.0.0.6', '--vlan', '10')).toEqual({ kind: 'gratuitous-arp', ip: '10.0.0.6', vlan: 10 });
    // a following option is not taken as the address
    expect(spec('--gratuitous-arp', '--vlan', '20')).toEqual({ kind: 'gratuitous-arp', vlan: 20 });
  });

  it('the IPv4 header and a payload length, as the web UI sets them: --ttl, --dscp, --df, --payload-length', () => {
    expect(spec('--udp', '10.0.0.50', '--dport', '9', '--payload-length', '1400', '--ttl', '5', '--dscp', '46', '--df')).toEqual({
      kind: 'udp',
      dstIp: '10.0.0.50',
      dstPort: 9,
      payloadLength: 1400,
      ttl: 5,
      dscp: 46,
      df: true,
    });
    expect(spec('--icmp-echo', '10.0.40.50', '--size', '8972', '--df', '--ttl', '1')).toEqual({ kind: 'icmp-echo', dstIp: '10.0.40.50', size: 8972, df: true, ttl: 1 });
    expect(spec('--ethertype', '0x88b5', '--payload-length', '100')).toEqual({ kind: 'ethernet', ethertype: 0x88b5, payloadLength: 100 });
    expect(usage('--arp-request', '10.0.0.22', '--ttl', '3')).toContain('--ttl does not apply to --arp-request');
    expect(usage('--udp', '10.0.0.50', '--dport', '9', '--dscp', '64')).toContain('--dscp');
  });

  it('QinQ: repeated --vlan or "outer,inner"', () => {
    expect(spec('--rarp', '--vlan', '100', '--vlan', '10')).toMatchObject({ vlan: [100, 10] });
    expect(spec('--rarp', '--vlan', '100,10')).toMatchObject({ vlan: [100, 10] });
    expect(usage('--rarp', '--vlan', '1,2,3')).toMatch(/^--vlan: at most two tags/);
  });

  it('bad input names the option', () => {
    expect(usage()).toMatch(/^say what to send/);
    expect(usage('--rarp', '--arp-request', '10.0.0.1')).toBe('choose one kind of frame, not --arp-request and --rarp');
    expect(usage('--icmp-echo', '10.0.0.300')).toBe('--icmp-echo: "10.0.0.300" is not an IPv4 address (like 10.0.0.21)');
    expect(usage('--icmp-echo', '10.0.0.1', '--size', '-3')).toMatch(/^option --size argument is ambiguous/);
    expect(usage('--icmp-echo', '10.0.0.1', '--size', '9001')).toBe('--size: "9001" is not a whole number in 0..9000');
    expect(usage('--udp', '10.0.0.1')).toBe('--udp needs --dport N (the destination port)');
    expect(usage('--udp', '10.0.0.1', '--dport', '70000')).toMatch(/^--dport: /);
    expect(usage('--arp-request', '10.0.0.1', '--dst', 'xx')).toMatch(/^--dst: "xx" is not a MAC address/);
    expect(usage('--hex', '00', '--vlan', '10')).toBe('--vlan does not apply to --hex (the bytes are sent as given)');
    expect(usage('--rarp', '--df')).toBe('--df does not apply to --rarp (it goes with --icmp-echo, --udp)');
    expect(usage('--rarp', '--pcp', '8', '--vlan', '1')).toBe('--pcp: "8" is not a whole number in 0..7');
    expect(usage('--ethertype', 'ip')).toMatch(/^--ethertype: "ip" is not a whole number in 0\.\.65535 \(decimal or 0x hex\)/);
    expect(() => spec('--bogus')).toThrow(/unknown option --bogus/);
    expect(() => spec('--gratuitous-arp-ip', '1.2.3.4')).toThrow(UsageError);
  });

  it('errors from building the frame name the command-line option', () => {
    const e = frameErrorForCli(new FrameInputError('senderIp: esxi-01:vmnic0 has no IPv4 address; give senderIp', 'senderIp')) as Error;
    expect(e.message).toBe('--sender-ip: esxi-01:vmnic0 has no IPv4 address; give --sender-ip');
    // the option is named wherever the field is, not only at the end
    const mid = frameErrorForCli(new FrameInputError('senderIp: x:eth0 has no IPv4 address; give senderIp (an IPv4 address)', 'senderIp')) as Error;
    expect(mid.message).toBe('--sender-ip: x:eth0 has no IPv4 address; give --sender-ip (an IPv4 address)');
    expect((frameErrorForCli(new FrameInputError('dataSize: 70000 is out of range', 'dataSize')) as Error).message).toBe('--size: 70000 is out of range');
    const other = new FrameInputError('the frame would be 9042 bytes', 'size');
    expect(frameErrorForCli(other)).toBe(other);
  });
});
