"""One reconcile loop per file, as in kube-controller-manager (pkg/controller/<name>/)."""
