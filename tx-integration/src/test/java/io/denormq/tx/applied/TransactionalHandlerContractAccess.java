package io.denormq.tx.applied;

/** Opens the contract to the Spring flavour's tests, which live in another package. */
public abstract class TransactionalHandlerContractAccess extends TransactionalHandlerContract {
}
