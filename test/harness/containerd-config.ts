// Configuration files of a test node's private containerd, as pure renders.
// Everything containerd would put in machine-wide places (/var/lib/containerd, /run/containerd,
// /var/run/netns, /etc/cni, /var/lib/cni/networks, /run/containerd/runc) points into the test's directory.

export interface ContainerdLayout {
  root: string;
  state: string;
  /** The gRPC unix socket path (no scheme). */
  address: string;
  ttrpcAddress: string;
  optDir: string;
  cniConfDir: string;
  /** runc's state root for CRI containers (instead of /run/containerd/runc/k8s.io). */
  runcRoot: string;
}

export interface ContainerdSettings {
  sandboxImage: string;
  /** Registry host mapped to a plain-http mirror, e.g. nodelet.local -> http://127.0.0.1:5000. */
  mirrorHost: string;
  mirrorEndpoint: string;
}

// JSON string escapes are valid TOML basic-string escapes.
const str = (s: string): string => JSON.stringify(s);

export function renderContainerdConfig(l: ContainerdLayout, s: ContainerdSettings): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${str(l.root)}
state = ${str(l.state)}
# Snapshotters that cannot work here only add warnings and start-up time.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = ${str(l.address)}

[ttrpc]
  address = ${str(l.ttrpcAddress)}

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${str(l.optDir)}

${cri}]
  sandbox_image = ${str(s.sandboxImage)}
  # No CAP_SYS_RESOURCE here: runc cannot set an oom_score_adj below its parent's.
  restrict_oom_score_adj = true
  # containerd 1.6 spells it this way (1.7: netns_mounts_under): pod netns files go to <state>/netns,
  # not the machine's /var/run/netns.
  netns_mounts_under_state_dir = true
  enable_selinux = false

  ${cri}.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${str(l.cniConfDir)}
    max_conf_num = 1

  ${cri}.containerd]
    default_runtime_name = "runc"

    ${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      ${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${str(l.runcRoot)}

  ${cri}.registry.mirrors.${str(s.mirrorHost)}]
    endpoint = [${str(s.mirrorEndpoint)}]
`;
}

export interface CniSettings {
  /** The network name; also names libcni's cache files in /var/lib/cni/results. */
  name: string;
  bridge: string;
  subnet: string;
  /** host-local's allocation store (instead of /var/lib/cni/networks). */
  ipamDataDir: string;
}

/**
 * bridge + portmap. No loopback entry: containerd's CRI brings up each pod's lo itself, and a
 * conflist can hold only one interface-creating plugin.
 */
export function renderCniConflist(c: CniSettings): string {
  const conf = {
    cniVersion: '1.0.0',
    name: c.name,
    plugins: [
      {
        type: 'bridge',
        bridge: c.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: c.ipamDataDir,
          ranges: [[{ subnet: c.subnet }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(conf, null, 2)}\n`;
}
