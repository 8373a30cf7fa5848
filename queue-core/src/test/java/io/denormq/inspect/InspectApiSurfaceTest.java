package io.denormq.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The inspection API is built on the journal's internals but shows none of them: no public or
 * protected member of a public type of {@code io.denormq.inspect} names an {@code io.denormq.internal}
 * type, in a parameter, a return type, a type argument, an exception or a field.
 */
class InspectApiSurfaceTest {
    private static final List<Class<?>> API = List.of(JournalInspector.class, JournalInspector.MessageVisitor.class,
            JournalMaintenance.class, JournalSummary.class, ReleasedMessage.class, Cursor.class, CursorLag.class,
            CycleFile.class, LockHolder.class, UnresolvedBatch.class);

    @Test
    void shouldNameNoInternalTypeInItsSignatures() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : API) {
            assertThat(Modifier.isPublic(type.getModifiers())).as(type + " is public").isTrue();
            for (Executable member : Stream.concat(Stream.of(type.getDeclaredMethods()),
                    Stream.of(type.getDeclaredConstructors())).toList()) {
                if (!visible(member.getModifiers()) || member.isSynthetic()) {
                    continue;
                }
                List<Type> types = new ArrayList<>(List.of(member.getGenericParameterTypes()));
                types.addAll(List.of(member.getGenericExceptionTypes()));
                if (member instanceof Method method) {
                    types.add(method.getGenericReturnType());
                }
                types.stream().filter(InspectApiSurfaceTest::internal).forEach(t -> leaks.add(member + ": " + t));
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers()) && internal(field.getGenericType())) {
                    leaks.add(field.toString());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void shouldFindALeakWhereThereIsOne() throws Exception {
        Method leaking = getClass().getDeclaredMethod("leaking");
        assertThat(internal(leaking.getGenericReturnType())).isTrue();
    }

    /** A member whose signature names an internal type: proves the check can fail. */
    List<io.denormq.internal.journal.CheckpointFile.Entry> leaking() {
        return List.of();
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static boolean internal(Type type) {
        return type.getTypeName().contains("io.denormq.internal.");
    }
}
