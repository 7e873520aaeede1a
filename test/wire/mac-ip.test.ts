import { describe, it, expect } from 'vitest';
import {
  formatMac,
  ipv4InSubnet,
  ipv6InSubnet,
  isBroadcast,
  isLocallyAdministered,
  isMulticast,
  macToNumber,
  normalizeMac,
  parseIpv4Cidr,
  parseIpv6Cidr,
  parseMac,
  sameSubnet4,
  sameSubnet6,
} from '../../src/wire/index.js';

describe('MAC addresses', () => {
  it('parse colon, dash, Cisco dotted and bare notations to the same bytes', () => {
    for (const t of ['00:50:56:aa:00:01', '00-50-56-AA-00-01', '0050.56aa.0001', '005056aa0001', '0:50:56:aa:0:1']) {
      expect(normalizeMac(t), t).toBe('00:50:56:aa:00:01');
    }
    expect(parseMac('00:50:56:aa:00')).toBeNull();
    expect(parseMac('00:50:56:aa:00:0g')).toBeNull();
  });
  it('format in each notation', () => {
    const b = parseMac('00:50:56:aa:00:01')!;
    expect(formatMac(b, 0, 'dash')).toBe('00-50-56-aa-00-01');
    expect(formatMac(b, 0, 'cisco')).toBe('0050.56aa.0001');
    expect(macToNumber(b)).toBe(0x005056aa0001);
  });
  it('classify broadcast, multicast and locally administered', () => {
    expect(isBroadcast(parseMac('ff:ff:ff:ff:ff:ff')!)).toBe(true);
    expect(isMulticast(parseMac('ff:ff:ff:ff:ff:ff')!)).toBe(true);
    expect(isMulticast(parseMac('01:00:5e:00:00:01')!)).toBe(true);
    expect(isMulticast(parseMac('33:33:00:00:00:01')!)).toBe(true);
    expect(isMulticast(parseMac('00:50:56:aa:00:01')!)).toBe(false);
    expect(isBroadcast(parseMac('01:00:5e:00:00:01')!)).toBe(false);
    expect(isLocallyAdministered(parseMac('02:00:00:00:00:01')!)).toBe(true);
    expect(isLocallyAdministered(parseMac('00:50:56:aa:00:01')!)).toBe(false);
  });
});

describe('IP addresses and subnets', () => {
  it('IPv4 parse, prefix and membership', () => {
    expect(parseIpv4Cidr('10.0.0.5/24')).toEqual({ address: 0x0a000005, prefix: 24, text: '10.0.0.5' });
    expect(parseIpv4Cidr('10.0.0.256')).toBeNull();
    expect(sameSubnet4(0x0a000005, 0x0a0000fe, 24)).toBe(true);
    expect(sameSubnet4(0x0a000005, 0x0a000105, 24)).toBe(false);
    expect(ipv4InSubnet('10.0.0.5', '10.0.0.0/24')).toBe(true);
    expect(ipv4InSubnet(0x0a000105, '10.0.0.0/24')).toBe(false);
    expect(ipv4InSubnet('nope', '10.0.0.0/24')).toBe(false);
  });
  it('IPv6 parse, prefix and membership', () => {
    expect(parseIpv6Cidr('2001:DB8::5/64')!.text).toBe('2001:db8::5');
    expect(ipv6InSubnet('2001:db8::5', '2001:db8::/64')).toBe(true);
    expect(ipv6InSubnet('2001:db8:0:1::5', '2001:db8::/64')).toBe(false);
    expect(ipv6InSubnet(parseIpv6Cidr('fe80::1')!.address, 'fe80::/10')).toBe(true);
    expect(ipv6InSubnet('zz::1', 'fe80::/10')).toBe(false);
    const a = parseIpv6Cidr('2001:db8::1')!.address;
    const b = parseIpv6Cidr('2001:db8:0:0:8000::1')!.address;
    expect(sameSubnet6(a, b, 64)).toBe(true);
    expect(sameSubnet6(a, b, 65)).toBe(false);
    expect(sameSubnet6(a, b, 0)).toBe(true);
  });
});
