package io.denormq.tx.jta;

import java.nio.file.Files;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;

/** Narayana's transaction manager for the JTA tests, with its object store in a fresh temporary directory. */
final class Narayana {
    private Narayana() {
    }

    /**
     * @return the process's Narayana transaction manager, its object store moved to a new temporary
     *         directory (Narayana reads the setting when first used: the first test class to call this decides)
     * @throws Exception if the directory cannot be created
     */
    static TransactionManager transactionManager() throws Exception {
        String store = Files.createTempDirectory("denormq-narayana").toString();
        BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(store);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(store);
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }
}
