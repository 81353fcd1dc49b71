package fr.hcbroker.gateway.proxy;

import java.util.function.Function;

/**
 * A function's last result, kept with its argument: computed again only when the argument changes
 * (by {@code equals}). For what a browser sends the same on request after request of a connection.
 * One per connection, used on its event loop only.
 */
final class LastResult<K, V> {

    private K argument;
    private V result;

    /** {@code function(argument)}, from the last call when its argument was equal. */
    V of(K argument, Function<K, V> function) {
        if (this.argument == null || !this.argument.equals(argument)) {
            result = function.apply(argument);
            this.argument = argument;
        }
        return result;
    }
}
