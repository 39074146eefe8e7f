package org.cfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code cfs} command. Usage errors print one line and exit 2; failures print one line and
 * exit 1; {@code --verbose} adds stack traces and debug logging from cfs itself.
 */
@Command(name = "cfs",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A cooperative, read-only, peer-to-peer file system on Chord and DHash.",
        subcommands = {NodeCommand.class, RingCommand.class, StatusCommand.class, LookupCommand.class, BlockCommand.class,
                PublishCommand.class, LsCommand.class, CatCommand.class, GetCommand.class, InfoCommand.class,
                LogCommand.class, VerifyCommand.class, MountCommand.class, UnmountCommand.class, GatewayCommand.class,
                KeygenCommand.class, KeysCommand.class, AliasCommand.class, ConfigCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    private static final String LOG_PREFIX = "org.slf4j.simpleLogger.";

    @Spec
    private CommandSpec spec;

    private boolean verbose;

    private Path configDir;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces of errors and debug logging from cfs.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
    }

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Keep keys, aliases and settings in DIR"
                    + " (default: $XDG_CONFIG_HOME/cfs, else ~/.config/cfs). For node: its settings file.")
    void setConfigDir(Path configDir) {
        this.configDir = configDir;
    }

    /** The --config directory given anywhere on the command line, or null: see {@link ConfigDir#of}. */
    Path configDir() {
        return configDir;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command (see cfs --help): node, publish, ls, cat, get, mount, unmount, info, log, verify, keygen, alias, ring, status, lookup, block, demo");
    }

    public static void main(String[] args) {
        System.exit(run(args, UnaryOperator.identity()));
    }

    /**
     * Runs {@code cfs} as {@link #main} does but returns the exit code, and a {@code node} sends
     * through {@code nodeTransport} applied to its Netty transport: the seam for embedding a node
     * whose network is changed, as the test cluster's nodes with delayed links are.
     */
    public static int run(String[] args, UnaryOperator<Transport> nodeTransport) {
        CommandLine cmd = commandLine(nodeTransport);
        cmd.setExecutionStrategy(parsed -> {
            configureLogging(parsed, ((Main) cmd.getCommand()).verbose);
            return new CommandLine.RunLast().execute(parsed);
        });
        return cmd.execute(args);
    }

    /**
     * The command line with cfs's converters and error handling, writing to stdout and stderr;
     * public for tests elsewhere that run commands in process.
     */
    public static CommandLine commandLine() {
        return commandLine(UnaryOperator.identity());
    }

    private static CommandLine commandLine(UnaryOperator<Transport> nodeTransport) {
        Main main = new Main();
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cmd = new CommandLine(main, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == NodeCommand.class ? cls.cast(new NodeCommand(nodeTransport)) : defaults.create(cls);
            }
        });
        cmd.registerConverter(Endpoint.class, new EndpointConverter());
        cmd.registerConverter(ByteSize.class, new ByteSizeConverter());
        NodeConfigFile.describeConfigOption(cmd.getSubcommands().get("node").getCommandSpec());
        cmd.setParameterExceptionHandler((ParameterException e, String[] args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            String unknown = UnknownCommand.message(e);
            String origin = failed.getCommandSpec().defaultValueProvider() instanceof NodeConfigFile file
                    ? file.origin(e.getArgSpec()) : "";
            err.println(failed.getCommandSpec().qualifiedName() + ": " + (unknown != null ? unknown : e.getMessage())
                    + origin + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            if (main.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        cmd.setExecutionExceptionHandler((Exception e, CommandLine failed, ParseResult parsed) -> {
            PrintWriter err = failed.getErr();
            String message = e instanceof CommandFailedException ? e.getMessage()
                    : "unexpected " + e.getClass().getSimpleName() + ": " + Await.describe(e)
                    + (main.verbose ? "" : " (--verbose shows where)");
            err.println(failed.getCommandSpec().qualifiedName() + ": " + message);
            if (main.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return failed.getCommandSpec().exitCodeOnExecutionException();
        });
        return cmd;
    }

    /**
     * Log lines go to stderr with time and level. A node logs at INFO; the other commands print
     * their results and log only warnings. Properties given with -D win. slf4j-simple reads them
     * when a logger is first made, which is after parsing.
     */
    private static void configureLogging(ParseResult parsed, boolean verbose) {
        boolean node = parsed.subcommand() != null
                && parsed.subcommand().commandSpec().userObject() instanceof NodeCommand;
        setIfAbsent("defaultLogLevel", node ? "info" : "warn");
        setIfAbsent("log.io.netty", "warn");
        if (verbose) {
            setIfAbsent("log.org.cfs", "debug");
        }
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent("showThreadName", "false");
        setIfAbsent("showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(LOG_PREFIX + key) == null) {
            System.setProperty(LOG_PREFIX + key, value);
        }
    }

    /** The version recorded in the jar's manifest by the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cfs " + (v != null ? v : "(development build)")};
        }
    }
}
