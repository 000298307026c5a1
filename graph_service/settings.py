"""Typed settings, read once from the environment (prefix ``SGRAPH_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[1]


def enron_folder() -> Path:
    """The Enron demo data: ``shared/data/enron`` beside the project folder or above it."""
    candidates = [parent / "shared" / "data" / "enron" for parent in REPO.parents]
    return next((folder for folder in candidates if (folder / "employees.csv").exists()), candidates[0])


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SGRAPH_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    store: str = Field(
        "sqlite:///sgraph.db",
        description="sqlite:///PATH or neo4j://HOST:PORT / bolt://HOST:PORT",
    )
    neo4j_user: str = Field("neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field("neo4j", validation_alias="NEO4J_DATABASE")
    neo4j_pool_size: int = Field(50, ge=1)
    neo4j_retry_seconds: float = Field(
        15.0, gt=0, description="how long managed transactions retry transient errors before the API answers 503"
    )
    import_batch_size: int = Field(10_000, ge=1, le=100_000)
    sqlite_busy_timeout: float = Field(
        5.0, gt=0, description="seconds a SQLite writer waits for another (an import holds the store for its whole "
                               "file) before the API answers 503"
    )
    demo_data: str = Field(default_factory=lambda: str(enron_folder()), description="folder of the Enron demo CSVs")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    projection_mode: Literal["full", "bounded"] = "full"
    bounded_hub_degree: int = Field(
        10_000, ge=1, description="bounded mode: persons beyond a query's ends with more ties, interactions and "
                                  "referrals than this are not expanded"
    )
    projection_poll_seconds: float = Field(1.0, gt=0)
    worker_threads: int = Field(
        8, ge=1, le=256, description="requests an API worker runs at once (its thread pool; more wait their turn): "
                                     "each thread holds its own store connection and, on SQLite, its page cache"
    )
    embed_secret: SecretStr | None = None
    frame_ancestors: str = "'self'"
    rate_limit_per_minute: int = Field(6000, ge=1)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> "Settings":
        if self.env == "production" and self.store.startswith(("neo4j", "bolt")) and self.neo4j_password is None:
            raise ValueError("NEO4J_PASSWORD must be set in production")
        if self.env == "production" and self.embed_secret is None:
            raise ValueError("SGRAPH_EMBED_SECRET must be set in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
