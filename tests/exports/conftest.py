from tests.promotion.conftest import run_cli

__all__ = ["run_cli"]
