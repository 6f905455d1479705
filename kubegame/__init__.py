"""kubegame: a terminal game in which a simulated Kubernetes cluster runs tick by tick."""

__version__ = "0.1.0"
