package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Records every batch exchange a route received: headers, events and the JSON body. Thread-safe. */
public final class Received implements Processor {

    /** One received batch. */
    public record Batch(Map<String, Object> headers, List<ChangeEvent> events, String json) {
        public String header(String name) {
            Object v = headers.get(name);
            return v == null ? null : v.toString();
        }
    }

    private final List<Batch> batches = new CopyOnWriteArrayList<>();

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        List<ChangeEvent> events = new ArrayList<>(exchange.getIn().getBody(List.class));
        batches.add(new Batch(Map.copyOf(exchange.getIn().getHeaders()), events,
                exchange.getIn().getBody(String.class)));
    }

    public List<Batch> batches() {
        return List.copyOf(batches);
    }

    /** Every event of every batch, in arrival order. */
    public List<ChangeEvent> events() {
        List<ChangeEvent> all = new ArrayList<>();
        for (Batch b : batches) {
            all.addAll(b.events());
        }
        return all;
    }

    /** The JSON bodies of the batches of one table, concatenated. */
    public String json(String table) {
        StringBuilder out = new StringBuilder();
        for (Batch b : batches) {
            if (b.events().stream().anyMatch(e -> table.equals(e.getTable()))) {
                out.append(b.json());
            }
        }
        return out.toString();
    }

    public int eventCount() {
        int n = 0;
        for (Batch b : batches) {
            n += b.events().size();
        }
        return n;
    }

    public void clear() {
        batches.clear();
    }
}
