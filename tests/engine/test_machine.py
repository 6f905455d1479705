"""The engine's Hypothesis state machine (kubegame.testing.ClusterMachine) under the active profile."""

from kubegame.testing.machine import ClusterMachine

TestClusterMachine = ClusterMachine.TestCase
