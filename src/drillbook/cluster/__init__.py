"""A real single-node Kubernetes cluster on this machine, built and run by drillbook.

    from drillbook.cluster import Cluster, ClusterInfo

    info = Cluster.default().up(progress=print)
    # info.kubectl, info.kubeconfig, info.context, info.server, info.ctr
    Cluster.default().import_image("drillbook/redis:0123456789ab")
    Cluster.default().down()

Kubernetes (kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, kubectl) is
built once per version from the Go module proxy (`build`); etcd, containerd and the CNI
plugins are Debian's (`packages`). See `cluster` for the lifecycle, `teardown` for `down`.
"""

from __future__ import annotations

from drillbook.cluster.cluster import Cluster, ClusterInfo

__all__ = ["Cluster", "ClusterInfo"]
