package io.pgreplication.camel.examples.kafka;

import org.apache.camel.builder.RouteBuilder;

/**
 * The Kafka recipe (README, docs/kafka.md): every change of the orders tables as one Kafka record. Connection,
 * brokers and the producer's delivery settings come from application.properties.
 */
public class ChangesToKafka extends RouteBuilder {

    @Override
    public void configure() {
        from("pgreplication:orders_slot?publication=orders_pub&tables=public.orders,public.items")
            .process(new ChangeRecords())      // one Kafka record per change, keyed by table and key
            .to("kafka:orders-cdc?synchronous=true");  // waits until Kafka has every record of the batch
    }
}
