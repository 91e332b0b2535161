"""In-memory persistence: the same contract as the SQL adapter, for tests and demos."""

from adapters.persistence.memory.unit_of_work import MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = ["MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]
