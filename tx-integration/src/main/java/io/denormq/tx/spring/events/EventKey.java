package io.denormq.tx.spring.events;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.denormq.ConfigurationException;
import io.denormq.InvalidMessageException;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Reads an event's key from the one member of its type marked {@link DenormqKey}, as the string
 * {@code publish} takes. Found and checked once per event type; reading is one method-handle call.
 *
 * @param member   the member, for messages ("record component customer")
 * @param reader   reads the member's value from an event, {@code (Object)Object}
 * @param enumName whether the value is an enum, whose key is its {@code name()}
 */
record EventKey(String member, MethodHandle reader, boolean enumName) {
    private static final MethodType READER = MethodType.methodType(Object.class, Object.class);

    /**
     * @param type an event type
     * @return how to read its key, or null when no member is marked (the events are published without a key)
     * @throws ConfigurationException naming the type, if two members are marked or the marked one cannot be a key
     */
    static EventKey find(Class<?> type) {
        List<Candidate> marked = markedMembers(type);
        if (marked.isEmpty()) {
            return null;
        }
        if (marked.size() > 1) {
            throw new ConfigurationException("Event type " + type.getName() + " has " + marked.size()
                    + " members marked @DenormqKey (" + marked.stream().map(Candidate::name)
                    .collect(Collectors.joining(", ")) + "): an event has one key, mark only one of them");
        }
        return marked.get(0).reader(type);
    }

    /**
     * @return the members of {@code type} marked {@link DenormqKey}, each once: a record component whether
     *         the annotation is on it, on its accessor or on an interface method the accessor implements;
     *         fields (a record's own are its components); methods, with those of interfaces and superclasses
     */
    private static List<Candidate> markedMembers(Class<?> type) {
        List<Candidate> marked = new ArrayList<>();
        Set<String> components = new HashSet<>();
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                components.add(component.getName());
                if (component.isAnnotationPresent(DenormqKey.class) || isMarked(component.getAccessor())) {
                    marked.add(new Candidate("record component " + component.getName(), component.getAccessor(),
                            component.getType()));
                }
            }
        }
        ReflectionUtils.doWithFields(type, field -> marked.add(new Candidate("field " + field.getName(), field,
                        field.getType())),
                field -> field.isAnnotationPresent(DenormqKey.class) && !(type.isRecord() && isInstance(field)));
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type,
                method -> !method.isBridge() && !method.isSynthetic() && method.getDeclaringClass() != Object.class)) {
            boolean accessor = method.getParameterCount() == 0 && components.contains(method.getName());
            if (!accessor && isMarked(method)) {
                marked.add(new Candidate("method " + method.getName() + "()", method, method.getReturnType()));
            }
        }
        return marked;
    }

    /**
     * @param event an instance of the type this key was found on
     * @return its key, or null when the member's value is null
     */
    String read(Object event) {
        Object value;
        try {
            value = reader.invokeExact(event);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new InvalidMessageException("Reading the key of " + event.getClass().getName() + " from its " + member
                    + " failed, so nothing was published: " + e, e);
        }
        if (value == null) {
            return null;
        }
        return enumName ? ((Enum<?>) value).name() : value.toString();
    }

    @Override
    public String toString() {
        return member;
    }

    private static boolean isMarked(Method method) {
        return AnnotatedElementUtils.hasAnnotation(method, DenormqKey.class);
    }

    private static boolean isInstance(Field field) {
        return !Modifier.isStatic(field.getModifiers());
    }

    /** @return whether the key's string is defined by its type: the only types a key may have */
    private static boolean usable(Class<?> type) {
        if (type.isPrimitive() || ClassUtils.isPrimitiveWrapper(type)) {
            return type != void.class && type != Void.class;
        }
        return CharSequence.class.isAssignableFrom(type) || Enum.class.isAssignableFrom(type) || type == UUID.class;
    }

    /** A marked member, before it is checked. */
    private record Candidate(String name, AnnotatedElement element, Class<?> type) {
        EventKey reader(Class<?> eventType) {
            String where = "@DenormqKey on the " + name + " of event type " + eventType.getName();
            int modifiers = ((Member) element).getModifiers();
            if (Modifier.isStatic(modifiers)) {
                throw new ConfigurationException(where + ": it is static, so it is no event's key; mark an instance "
                        + "member");
            }
            if (element instanceof Method method && method.getParameterCount() > 0) {
                throw new ConfigurationException(where + ": it takes parameters; mark a method without parameters");
            }
            if (!usable(type)) {
                throw new ConfigurationException(where + ": its type " + type.getTypeName() + " has no string form a "
                        + "key can rely on; the key's type must be a String (or CharSequence), a primitive or its "
                        + "wrapper, an enum or a UUID, or mark a method that returns the key as a String");
            }
            try {
                MethodHandle handle;
                if (element instanceof Method method) {
                    ReflectionUtils.makeAccessible(method);
                    handle = MethodHandles.lookup().unreflect(method);
                } else {
                    Field field = (Field) element;
                    ReflectionUtils.makeAccessible(field);
                    handle = MethodHandles.lookup().unreflectGetter(field);
                }
                return new EventKey(name, handle.asType(READER), Enum.class.isAssignableFrom(type));
            } catch (IllegalAccessException | RuntimeException e) {
                throw new ConfigurationException(where + ": it cannot be read (" + e.getMessage() + "); make it public "
                        + "or open its package to denormq", e);
            }
        }
    }
}
