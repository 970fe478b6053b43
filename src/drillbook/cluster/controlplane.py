"""The control plane's command lines: etcd, kube-apiserver, controller-manager, scheduler.

Every listener is on 127.0.0.1 at a port of the cluster's `Ports`; nothing is reachable from
another machine. etcd is Debian's `etcd-server` 3.4 (the API server only logs that it falls
back from the progress-notify watch 3.5 has).
"""

from __future__ import annotations

from pathlib import Path

from drillbook.cluster.layout import Layout, Settings

ETCD = "/usr/bin/etcd"


def etcd(layout: Layout, settings: Settings) -> list[str]:
    p = settings.ports
    client, peer = f"http://127.0.0.1:{p.etcd}", f"http://127.0.0.1:{p.etcd_peer}"
    return [
        ETCD,
        "--name=drillbook",
        f"--data-dir={layout.etcd_data}",
        f"--listen-client-urls={client}",
        f"--advertise-client-urls={client}",
        f"--listen-peer-urls={peer}",
        f"--initial-advertise-peer-urls={peer}",
        f"--initial-cluster=drillbook={peer}",
        "--quota-backend-bytes=2147483648",
    ]


def apiserver(bindir: Path, layout: Layout, settings: Settings) -> list[str]:
    pki, p = layout.pki, settings.ports
    return [
        str(bindir / "kube-apiserver"),
        f"--etcd-servers=http://127.0.0.1:{p.etcd}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        f"--secure-port={p.apiserver}",
        # the `kubernetes` Service would point pods at 127.0.0.1, which is their own loopback
        "--endpoint-reconciler-type=none",
        f"--cert-dir={layout.state / 'apiserver-certs'}",
        f"--tls-cert-file={pki / 'apiserver.crt'}",
        f"--tls-private-key-file={pki / 'apiserver.key'}",
        f"--client-ca-file={pki / 'ca.crt'}",
        f"--service-account-key-file={pki / 'sa.pub'}",
        f"--service-account-signing-key-file={pki / 'sa.key'}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={settings.service_subnet}",
        "--authorization-mode=Node,RBAC",
        "--allow-privileged=true",
        f"--kubelet-client-certificate={pki / 'apiserver-kubelet-client.crt'}",
        f"--kubelet-client-key={pki / 'apiserver-kubelet-client.key'}",
        "--kubelet-preferred-address-types=InternalIP,Hostname",
        "--profiling=false",
        "--v=1",
    ]


def controller_manager(bindir: Path, layout: Layout, settings: Settings) -> list[str]:
    pki, kubeconfig = layout.pki, layout.kubeconfig("controller-manager")
    return [
        str(bindir / "kube-controller-manager"),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={settings.ports.controller_manager}",
        f"--service-account-private-key-file={pki / 'sa.key'}",
        f"--root-ca-file={pki / 'ca.crt'}",
        f"--cluster-signing-cert-file={pki / 'ca.crt'}",
        f"--cluster-signing-key-file={pki / 'ca.key'}",
        "--use-service-account-credentials=true",
        f"--service-cluster-ip-range={settings.service_subnet}",
        # the node's pod CIDR is the whole bridge subnet (host-local IPAM hands addresses out)
        f"--cluster-cidr={settings.pod_subnet}",
        "--allocate-node-cidrs=false",
        "--leader-elect=false",
        "--profiling=false",
        "--v=1",
    ]


def scheduler(bindir: Path, layout: Layout, settings: Settings) -> list[str]:
    kubeconfig = layout.kubeconfig("scheduler")
    return [
        str(bindir / "kube-scheduler"),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={settings.ports.scheduler}",
        "--leader-elect=false",
        "--profiling=false",
        "--v=1",
    ]
