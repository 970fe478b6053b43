"""A real single-node Kubernetes cluster on this machine, built and run by drillbook."""
