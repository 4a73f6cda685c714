package io.pgreplication.camel.it;

import java.io.StringWriter;
import java.util.List;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Test helper: captures what the component and Camel log, at every level, until closed. */
public final class LogCapture implements AutoCloseable {

    private static final List<String> LOGGERS = List.of("", "org.apache.camel", "io.pgreplication");

    private final StringWriter log = new StringWriter();
    private final String name;
    private final WriterAppender appender;

    private LogCapture(String name) {
        this.name = name;
        this.appender = WriterAppender.newBuilder().setName(name).setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%level %c - %msg %throwable%n").build()).build();
    }

    /** Starts capturing; {@code camelLevel} is the level Camel's own loggers log at meanwhile. */
    public static LogCapture start(String name, Level camelLevel) {
        LogCapture capture = new LogCapture(name);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        capture.appender.start();
        config.addAppender(capture.appender);
        for (String logger : LOGGERS) {
            config.getLoggerConfig(logger).addAppender(capture.appender, Level.ALL, null);
        }
        config.getLoggerConfig("org.apache.camel").setLevel(camelLevel);
        ctx.updateLoggers();
        return capture;
    }

    /** Everything logged so far, one line per event: {@code LEVEL logger - message throwable}. */
    public String text() {
        synchronized (log) {
            return log.toString();
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        for (String logger : LOGGERS) {
            config.getLoggerConfig(logger).removeAppender(name);
        }
        ctx.updateLoggers();
        appender.stop();
    }
}
