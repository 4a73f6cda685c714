package io.pgreplication.camel.examples.springboot;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** The route; url, user and password come from {@code camel.component.pgreplication.*} properties. */
@Component
public class OrdersRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("pgreplication:orders_slot?publication=orders_pub&tables=public.orders")
            .routeId("orders-cdc")
            .log("${header.CamelPgReplicationTable}: ${body.size} changes up to ${header.CamelPgReplicationLsn}");
    }
}
