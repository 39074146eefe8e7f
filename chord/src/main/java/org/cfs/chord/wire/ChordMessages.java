package org.cfs.chord.wire;

import java.util.List;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;

/**
 * Chord's wire messages. Each request names the vnode it is for ({@code target}, an index on the
 * receiving host); node lists are ordered as the message says and never hold nulls.
 */
public final class ChordMessages {
    private ChordMessages() {
    }

    /**
     * A request addressed to one vnode of the receiving host. The set is closed: each request
     * hands itself to the {@link Handler} method for its kind, so a request added here does not
     * compile until the handler serves it.
     */
    public sealed interface VnodeRequest extends Message
            permits Ping, GetNeighbours, Notify, FindStep, Leave, Route {
        int target();

        /** Passes this request to {@code handler}'s method for its kind and returns the reply. */
        Message accept(Handler handler);

        /** Serves vnode requests: one method per kind, each returning the reply its request names. */
        interface Handler {
            Ack onPing(Ping request);

            Neighbours onGetNeighbours(GetNeighbours request);

            Neighbours onNotify(Notify request);

            StepReply onFindStep(FindStep request);

            Ack onLeave(Leave request);

            Ack onRoute(Route request);
        }
    }

    /** Liveness check. Reply: {@link Ack}. */
    public record Ping(int target) implements VnodeRequest {
        @Override
        public Message accept(Handler handler) {
            return handler.onPing(this);
        }
    }

    /** Empty successful reply. */
    public record Ack() implements Message {
    }

    /** Asks for the vnode's predecessor and successor list. Reply: {@link Neighbours}. */
    public record GetNeighbours(int target) implements VnodeRequest {
        @Override
        public Message accept(Handler handler) {
            return handler.onGetNeighbours(this);
        }
    }

    /** A vnode's view of its neighbourhood; {@code predecessor} may be null. */
    public record Neighbours(NodeRef self, NodeRef predecessor, List<NodeRef> successors) implements Message {
        public Neighbours {
            successors = List.copyOf(successors);
        }
    }

    /**
     * "I think I might be your predecessor" (Chord's notify). Reply: {@link Neighbours}, the
     * receiver's view after considering the candidate, so a notifier that is not the predecessor
     * learns of the node between them at once.
     */
    public record Notify(int target, NodeRef candidate) implements VnodeRequest {
        @Override
        public Message accept(Handler handler) {
            return handler.onNotify(this);
        }
    }

    /**
     * One step of an iterative lookup for {@code key}: the vnode answers whether its successor
     * owns the key, or with up to {@code max} nodes it knows that are closer to the key.
     * Reply: {@link StepReply}.
     */
    public record FindStep(int target, Id key, int max) implements VnodeRequest {
        @Override
        public Message accept(Handler handler) {
            return handler.onFindStep(this);
        }
    }

    /**
     * The answer to a {@link FindStep}. {@code done}: the key lies between the answerer and its
     * first successor. {@code closer}: when not done, the answerer's known nodes closest before the
     * key, closest first. {@code successors}: the answerer's successor list, always, so that an
     * asker who finds every node before the key dead can still go on to the first live node after
     * it. A vnode alone in its ring lists itself as its successor. {@code holds}: the answering
     * host's application says it holds the key (DHash: a cached copy), so a lookup may stop here.
     */
    public record StepReply(boolean done, List<NodeRef> closer, List<NodeRef> successors, boolean holds)
            implements Message {
        public StepReply {
            closer = List.copyOf(closer);
            successors = List.copyOf(successors);
        }
    }

    /**
     * Graceful leave: {@code leaving} is going away; its predecessor (may be null) and successor
     * list let the receiver repair its pointers at once. Reply: {@link Ack}.
     */
    public record Leave(int target, NodeRef leaving, NodeRef predecessor, List<NodeRef> successors)
            implements VnodeRequest {
        public Leave {
            successors = List.copyOf(successors);
        }

        @Override
        public Message accept(Handler handler) {
            return handler.onLeave(this);
        }
    }

    /**
     * A KBR application message on its way to the owner of {@code key}. {@code last} is set by the
     * hop that knows the receiver owns the key. Reply: {@link Ack} once accepted by this hop.
     */
    public record Route(int target, Id key, byte[] payload, boolean last, int hops) implements VnodeRequest {
        @Override
        public Message accept(Handler handler) {
            return handler.onRoute(this);
        }
    }
}
