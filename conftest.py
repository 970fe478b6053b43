"""This repository's own suite runs against the reference stack in fixtures/.

The drillbook plugin itself is loaded through its entry point; its defaults
(fixtures/stack.yaml, load_tests/locustfile.py) are this repository's layout.
"""

pytest_plugins = ["pytester"]  # tests of what our pytest plugin and Allure steps produce
