import { describe, expect, it } from 'vitest';
import { CaptureSelectError, POINTS_OF_KIND, capturePointName, listCapturePoints, parsePointSelector, selectCapturePoints, type CaptureInterfaceInfo } from '../../src/capture/capture-points.js';

const IFACES: CaptureInterfaceInfo[] = [
  { id: 'esxi-01:vmnic0', kind: 'vmnic', host: 'esxi-01', vswitch: 'vSwitch0', peer: 'tor-1:eth1' },
  { id: 'esxi-01:vmk0', kind: 'vmk', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'Management Network', vlan: 0 },
  { id: 'web-10:eth0', kind: 'vnic', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'VLAN10-Web', vlan: 10 },
  { id: 'sniffer:eth0', kind: 'vnic', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'Trunk', vlan: 4095 },
  { id: 'tor-1:eth1', kind: 'switch-port', mode: 'trunk', vlan: 1, peer: 'esxi-01:vmnic0' },
  { id: 'tor-1:eth2', kind: 'switch-port', mode: 'access', vlan: 10, peer: 'pc-10:eth0' },
  { id: 'pc-10:eth0', kind: 'physical-nic', peer: 'tor-1:eth2' },
];

describe('capture points (O1)', () => {
  const all = listCapturePoints(IFACES);

  it('O1: pktcap-uw names per interface kind, Drop once for the lab, last', () => {
    expect(POINTS_OF_KIND.vnic).toEqual(['PortInput', 'PortOutput']);
    expect(POINTS_OF_KIND.vmk).toEqual(['PortInput', 'PortOutput']);
    expect(POINTS_OF_KIND.vmnic).toEqual(['UplinkRcv', 'UplinkSnd']);
    expect(all.map((p) => p.id)).toEqual([
      'esxi-01:vmnic0:UplinkRcv',
      'esxi-01:vmnic0:UplinkSnd',
      'esxi-01:vmk0:PortInput',
      'esxi-01:vmk0:PortOutput',
      'web-10:eth0:PortInput',
      'web-10:eth0:PortOutput',
      'sniffer:eth0:PortInput',
      'sniffer:eth0:PortOutput',
      'tor-1:eth1:PhysRx',
      'tor-1:eth1:PhysTx',
      'tor-1:eth2:PhysRx',
      'tor-1:eth2:PhysTx',
      'pc-10:eth0:HostRx',
      'pc-10:eth0:HostTx',
      'Drop',
    ]);
  });

  it('O1: pcapng names are "node:iface Point"; descriptions name vSwitch, port group and VLAN', () => {
    const rcv = all.find((p) => p.id === 'esxi-01:vmnic0:UplinkRcv')!;
    expect(rcv.name).toBe('esxi-01:vmnic0 UplinkRcv');
    expect(rcv.description).toContain('vSwitch0 on esxi-01');
    expect(rcv.description).toContain('tags included');
    const web = all.find((p) => p.id === 'web-10:eth0:PortInput')!;
    expect(web.name).toBe('web-10:eth0 PortInput');
    expect(web.description).toMatch(/^VM vNIC web-10:eth0: vSwitch0 on esxi-01, port group "VLAN10-Web", VLAN 10; PortInput: /);
    expect(all.find((p) => p.id === 'sniffer:eth0:PortOutput')!.description).toContain('VLAN 4095 (all VLANs');
    expect(all.find((p) => p.id === 'esxi-01:vmk0:PortOutput')!.description).toContain('VMkernel adapter esxi-01:vmk0');
    expect(all.find((p) => p.id === 'tor-1:eth1:PhysTx')!.description).toContain('trunk, native VLAN 1');
    expect(all.find((p) => p.id === 'tor-1:eth2:PhysRx')!.description).toContain('access VLAN 10');
    expect(all.find((p) => p.id === 'Drop')!.name).toBe('Drop');
  });

  it('O1: directions: into the switch / received = inbound, out = outbound, Drop none', () => {
    const dir = Object.fromEntries(all.map((p) => [p.id, p.direction]));
    expect(dir['web-10:eth0:PortInput']).toBe('inbound');
    expect(dir['web-10:eth0:PortOutput']).toBe('outbound');
    expect(dir['esxi-01:vmnic0:UplinkRcv']).toBe('inbound');
    expect(dir['esxi-01:vmnic0:UplinkSnd']).toBe('outbound');
    expect(dir['pc-10:eth0:HostTx']).toBe('outbound');
    expect(dir.Drop).toBeUndefined();
  });

  it('untagged VLAN of each point: VST VLAN, 0 for EST/VGT and uplinks, access/native VLAN of switch ports', () => {
    const v = Object.fromEntries(all.map((p) => [p.id, p.untaggedVlan]));
    expect(v['web-10:eth0:PortInput']).toBe(10);
    expect(v['sniffer:eth0:PortInput']).toBe(0);
    expect(v['esxi-01:vmk0:PortInput']).toBe(0);
    expect(v['esxi-01:vmnic0:UplinkRcv']).toBe(0);
    expect(v['tor-1:eth1:PhysRx']).toBe(1);
    expect(v['tor-1:eth2:PhysRx']).toBe(10);
  });

  it('parses selectors: iface, iface:Point (any case), Point, node', () => {
    expect(parsePointSelector('esxi-01:vmnic0')).toEqual({ target: 'esxi-01:vmnic0', point: null });
    expect(parsePointSelector('esxi-01:vmnic0:uplinksnd')).toEqual({ target: 'esxi-01:vmnic0', point: 'UplinkSnd' });
    expect(parsePointSelector('drop')).toEqual({ target: null, point: 'Drop' });
    expect(parsePointSelector('esxi-01')).toEqual({ target: 'esxi-01', point: null });
    expect(capturePointName(' PORTINPUT ')).toBe('PortInput');
    expect(capturePointName('Input')).toBeNull();
  });

  it('selects in lab order without duplicates; no selector = every point', () => {
    expect(selectCapturePoints(all, undefined)).toHaveLength(all.length);
    expect(selectCapturePoints(all, [])).toHaveLength(all.length);
    const s = selectCapturePoints(all, ['Drop', 'web-10:eth0', 'web-10:eth0:PortInput', 'esxi-01:vmnic0:UplinkSnd']);
    expect(s.map((p) => p.id)).toEqual(['esxi-01:vmnic0:UplinkSnd', 'web-10:eth0:PortInput', 'web-10:eth0:PortOutput', 'Drop']);
    expect(selectCapturePoints(all, ['UplinkRcv', 'HostTx']).map((p) => p.id)).toEqual(['esxi-01:vmnic0:UplinkRcv', 'pc-10:eth0:HostTx']);
    expect(selectCapturePoints(all, ['tor-1']).map((p) => p.id)).toEqual(['tor-1:eth1:PhysRx', 'tor-1:eth1:PhysTx', 'tor-1:eth2:PhysRx', 'tor-1:eth2:PhysTx']);
  });

  it('unknown interface: error names it, suggests near names and lists the interfaces', () => {
    let err: unknown;
    try {
      selectCapturePoints(all, ['web-10:eth1']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureSelectError);
    const e = err as CaptureSelectError;
    expect(e.message).toContain('unknown interface "web-10:eth1"; did you mean web-10:eth0');
    expect(e.message).toContain('interfaces: esxi-01:vmnic0, esxi-01:vmk0, web-10:eth0');
    expect(e.message).toContain('points: PortInput, PortOutput, UplinkRcv');
    expect(e.unknown).toEqual(['web-10:eth1']);
  });

  it('a point the interface does not have, per-interface Drop, and unknown words are refused', () => {
    expect(() => selectCapturePoints(all, ['esxi-01:vmnic0:PortInput'])).toThrow(/esxi-01:vmnic0 is an uplink: its points are UplinkRcv, UplinkSnd, not PortInput/);
    expect(() => selectCapturePoints(all, ['web-10:eth0:Drop'])).toThrow(/Drop is one point for the whole lab/);
    expect(() => selectCapturePoints(all, ['nosuch'])).toThrow(/"nosuch" is neither a point name/);
    expect(() => selectCapturePoints(listCapturePoints([IFACES[2]!]), ['UplinkRcv'])).toThrow(/no interface of this lab has point UplinkRcv/);
  });
});
