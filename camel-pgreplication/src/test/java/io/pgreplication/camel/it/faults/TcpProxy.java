package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy the test controls, between the consumer and PostgreSQL. {@link #cut()} closes every open connection
 * (both sides see it); {@link #freeze()} leaves them open but silently stops forwarding on them, as a dropped NAT or
 * firewall entry does (a half-open connection). New connections are always forwarded.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this(0, targetHost, targetPort);
    }

    /** A proxy listening on loopback port {@code listenPort} (0: any free port). */
    public TcpProxy(int listenPort, String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Open connections whose forwarding still works. */
    public int openLinks() {
        return (int) links.stream().filter(l -> !l.frozen && !l.closed).count();
    }

    public void cut() {
        links.forEach(Link::close);
        links.clear();
    }

    public void freeze() {
        links.forEach(l -> l.frozen = true);
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                Link link = new Link(client, upstream);
                links.add(link);
                link.pump(client, upstream);
                link.pump(upstream, client);
            } catch (IOException e) {
                // closed, or the server is down: the client sees its connection fail
            }
        }
    }

    private final class Link {
        private final Socket a;
        private final Socket b;
        volatile boolean frozen;
        volatile boolean closed;

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        while (frozen && !closed) {
                            Thread.sleep(50); // hold the bytes: nothing more reaches either side
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // closed
                } finally {
                    if (!frozen) {
                        close();
                    }
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        void close() {
            closed = true;
            links.remove(this);
            try {
                a.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                b.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
