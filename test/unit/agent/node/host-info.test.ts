import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { createHostInfoSource, firstHostIPv4, goArch, prettyName, readHostInfo, type HostProbes } from '../../../../src/agent/node/host-info.js';

function iface(address: string, family: 'IPv4' | 'IPv6', internal: boolean): os.NetworkInterfaceInfo {
  const base = { address, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

function probes(files: Record<string, string>, over: Partial<HostProbes> = {}): { probes: HostProbes; statfsCalls: string[]; systemCalls: number[] } {
  const statfsCalls: string[] = [];
  const systemCalls: number[] = [];
  const p: HostProbes = {
    readFile: async (file) => {
      const v = files[file];
      if (v === undefined) throw new Error(`ENOENT ${file}`);
      return v;
    },
    statfs: async (dir) => {
      statfsCalls.push(dir);
      if (dir !== '/var') throw new Error(`ENOENT ${dir}`);
      return { blocks: 1000, bsize: 4096 };
    },
    networkInterfaces: () => ({ lo: [iface('127.0.0.1', 'IPv4', true)], eth0: [iface('fe80::1', 'IPv6', false), iface('192.168.1.7', 'IPv4', false)] }),
    system: async () => {
      systemCalls.push(1);
      return { cpuCount: 8, memoryBytes: 1 << 30, kernel: '6.1.0', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm' };
    },
    arch: 'x64',
    platform: 'linux',
    ...over,
  };
  return { probes: p, statfsCalls, systemCalls };
}

const FILES = {
  '/etc/machine-id': 'm-id\n',
  '/sys/class/dmi/id/product_uuid': 'DMI-UUID\n',
  '/proc/sys/kernel/random/boot_id': 'b-id\n',
  '/etc/os-release': 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
};

describe('readHostInfo', () => {
  test('reads every fact', async () => {
    const { probes: p, statfsCalls } = probes(FILES);
    const h = await readHostInfo({ rootDir: '/var/lib/nodelet', probes: p });
    assert.deepEqual(h, {
      cpuCount: 8,
      memoryBytes: 1 << 30,
      machineID: 'm-id',
      systemUUID: 'DMI-UUID',
      bootID: 'b-id',
      kernelVersion: '6.1.0',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      operatingSystem: 'linux',
      architecture: 'amd64',
      ephemeralStorageBytes: 4096000,
      internalIP: '192.168.1.7',
    });
    // The root dir does not exist yet: its nearest existing parent is measured.
    assert.deepEqual(statfsCalls, ['/var/lib/nodelet', '/var/lib', '/var']);
  });

  test('fallbacks: machine id for the system UUID, os facts for the image, --node-ip for the address', async () => {
    const { probes: p } = probes({ '/var/lib/dbus/machine-id': 'dbus-id' }, { arch: 'arm64' });
    const h = await readHostInfo({ rootDir: '/var', nodeIP: '10.1.2.3', probes: p });
    assert.equal(h.machineID, 'dbus-id');
    assert.equal(h.systemUUID, 'dbus-id');
    assert.equal(h.bootID, '');
    assert.equal(h.osImage, 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(h.architecture, 'arm64');
    assert.equal(h.internalIP, '10.1.2.3');
  });

  test('a failing statfs all the way up is an error', async () => {
    const { probes: p } = probes(FILES, { statfs: async () => Promise.reject(new Error('EIO')) });
    await assert.rejects(readHostInfo({ rootDir: '/x', probes: p }), /cannot statfs \/x/);
  });

  test('the source reads static facts once, the filesystem every time', async () => {
    const { probes: p, statfsCalls, systemCalls } = probes(FILES);
    const source = createHostInfoSource({ rootDir: '/var', probes: p });
    await source.read();
    await source.read();
    assert.equal(systemCalls.length, 1);
    assert.ok(statfsCalls.length >= 2);
  });
});

describe('helpers', () => {
  test('goArch', () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('ia32'), '386');
    assert.equal(goArch('arm64'), 'arm64');
    assert.equal(goArch('s390x'), 's390x');
  });
  test('prettyName', () => {
    assert.equal(prettyName('PRETTY_NAME="Ubuntu 24.04 LTS"\n'), 'Ubuntu 24.04 LTS');
    assert.equal(prettyName("PRETTY_NAME='Alpine'"), 'Alpine');
    assert.equal(prettyName('PRETTY_NAME=Plain'), 'Plain');
    assert.equal(prettyName('NAME=x'), undefined);
  });
  test('firstHostIPv4 skips loopback and IPv6', () => {
    assert.equal(firstHostIPv4({ lo: [iface('127.0.0.1', 'IPv4', true)], e: [iface('::1', 'IPv6', false), iface('10.9.8.7', 'IPv4', false)] }), '10.9.8.7');
    assert.equal(firstHostIPv4({ lo: [iface('127.0.0.1', 'IPv4', true)] }), undefined);
  });
});
