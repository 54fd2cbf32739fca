// termprobe's driver for java.net.http.HttpClient: makes the one request
// described by args[0] and prints one JSON result (README.md, "Contract").
// Run as `java TermprobeClient.java REQUEST.json` (single-file source launch),
// so it has no dependencies: the JSON reader and writer are at the end.

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

public class TermprobeClient {
  public static void main(String[] args) throws Exception {
    // Read by the HttpClient implementation when its classes initialise: it
    // must be set before the first use, so the original Host can be sent.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    @SuppressWarnings("unchecked")
    Map<String, Object> request = (Map<String, Object>) new Json(Files.readString(Path.of(args[0]))).value();
    if (Boolean.TRUE.equals(request.get("insecure"))) {
      // -k also means no name check; HttpClient only has this switch for it.
      System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }
    Map<String, Object> result = run(request);
    System.out.println(Json.write(result));
    System.exit(0); // the client's selector thread would otherwise keep a kept-alive connection
  }

  static Map<String, Object> run(Map<String, Object> request) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    for (String key : new String[] {"client", "version", "outcome", "status", "http_version", "body_bytes",
                                    "declared_length", "error", "requests"}) {
      result.put(key, null);
    }
    result.put("client", request.get("client"));
    result.put("version", Runtime.version().toString());
    result.put("outcome", "error");
    if ("2-prior-knowledge".equals(request.get("http"))) {
      result.put("outcome", "unsupported");
      result.put("error", error("unsupported", "java.net.http.HttpClient has no h2c prior-knowledge mode "
                                + "(HTTP_2 on http:// is the Upgrade: h2c dance)", null));
      return result;
    }
    URI url = URI.create((String) request.get("url"));
    double timeoutS = ((Number) request.get("timeout_s")).doubleValue();
    Duration timeout = Duration.ofMillis((long) (timeoutS * 1000));
    HttpClient client = client(request, url, timeout);
    // "rounds": the same HttpClient (and its pool of kept-alive connections)
    // sends the request again; the last round's result is the run's, and an
    // earlier round's error ends the run there.
    int rounds = request.get("rounds") == null ? 1 : ((Number) request.get("rounds")).intValue();
    for (int round = 0; round < Math.max(rounds, 1); round++) {
      if (round > 0) {
        for (String key : new String[] {"status", "http_version", "body_bytes", "declared_length", "error"}) {
          result.put(key, null);
        }
        result.put("outcome", "error");
      }
      oneRequest(result, client, httpRequest(request, url, timeout), timeout);
      if (!"response".equals(result.get("outcome"))) {
        break;
      }
    }
    return result;
  }

  static Map<String, Object> oneRequest(Map<String, Object> result, HttpClient client, HttpRequest request,
                                        Duration timeout) {
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException | InterruptedException e) {
      result.put("error", describe(e));
      return result;
    }
    result.put("status", response.statusCode());
    result.put("http_version", response.version() == HttpClient.Version.HTTP_2 ? "2" : "1.1");
    result.put("declared_length", response.headers().firstValue("content-length").map(Long::valueOf).orElse(null));
    return readBody(result, response.body(), timeout);
  }

  // HttpRequest.timeout ends at the response's headers; the overall timeout
  // closes the body stream at the deadline, which fails the read in progress.
  static Map<String, Object> readBody(Map<String, Object> result, InputStream body, Duration timeout) {
    ScheduledExecutorService deadline = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r);
      thread.setDaemon(true);
      return thread;
    });
    AtomicBoolean expired = new AtomicBoolean();
    deadline.schedule(() -> {
      expired.set(true);
      try { body.close(); } catch (IOException ignored) { }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    long read = 0;
    byte[] buffer = new byte[65536];
    try (body) {
      for (int n; (n = body.read(buffer)) != -1;) {
        read += n;
      }
      result.put("outcome", "response");
    } catch (IOException e) {
      // Our own close says only "closed": name the deadline instead of blaming the client.
      result.put("error", expired.get() ? error("timeout", "body not complete in " + timeout.toMillis() + " ms", null)
                                        : describe(e));
    } finally {
      deadline.shutdownNow();
    }
    result.put("body_bytes", read);
    return result;
  }

  // HttpClient 17 has no dialer hook, so connect_to becomes the URI's
  // authority and the original one goes in the Host header. What breaks for
  // https: the certificate's name is checked against connect_to's host, not
  // the URL's (observed: "No subject alternative names matching IP address
  // 127.0.0.1 found" for a certificate made for another name), so a server
  // whose certificate does not also name the relay's address fails here
  // where curl would pass. SNI is asked for the URL's name through
  // SSLParameters, which the client keeps when the URI's host is an IP
  // literal (termprobe's relay is 127.0.0.1) and replaces otherwise.
  static HttpClient client(Map<String, Object> request, URI url, Duration timeout) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout)
        .version("1.1".equals(request.get("http")) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2);
    SSLContext context = sslContext(request);
    if (context != null) {
      builder.sslContext(context);
    }
    if ("https".equalsIgnoreCase(url.getScheme()) && !isIpLiteral(url.getHost())) {
      SSLParameters parameters = (context != null ? context : SSLContext.getDefault()).getDefaultSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(url.getHost())));
      builder.sslParameters(parameters);
    }
    return builder.build();
  }

  static boolean isIpLiteral(String host) {
    return host.startsWith("[") || host.matches("[0-9.]+");
  }

  static SSLContext sslContext(Map<String, Object> request) throws Exception {
    TrustManager[] trust;
    if (Boolean.TRUE.equals(request.get("insecure"))) {
      trust = new TrustManager[] {new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] chain, String type) { }
        public void checkServerTrusted(X509Certificate[] chain, String type) { }
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      }};
    } else if (request.get("ca_file") != null) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509")
               .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of((String) request.get("ca_file")))))) {
        store.setCertificateEntry("ca" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      trust = factory.getTrustManagers();
    } else {
      return null;
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust, null);
    return context;
  }

  @SuppressWarnings("unchecked")
  static HttpRequest httpRequest(Map<String, Object> request, URI url, Duration timeout) throws Exception {
    Map<String, Object> connectTo = (Map<String, Object>) request.get("connect_to");
    URI target = url;
    if (connectTo != null) {
      String host = (String) connectTo.get("host");
      String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + ((Number) connectTo.get("port")).intValue();
      target = URI.create(url.getScheme() + "://" + authority + url.getRawPath()
                          + (url.getRawQuery() != null ? "?" + url.getRawQuery() : ""));
    }
    Object bodyFile = request.get("body_file");
    HttpRequest.BodyPublisher body = bodyFile == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of((String) bodyFile)));
    HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(timeout)
        .method((String) request.get("method"), body);
    boolean hostGiven = false;
    for (Object pair : (List<Object>) request.get("headers")) {
      String name = (String) ((List<Object>) pair).get(0);
      String value = (String) ((List<Object>) pair).get(1);
      hostGiven |= name.equalsIgnoreCase("host");
      try {
        builder.header(name, value);
      } catch (IllegalArgumentException restricted) {
        // Content-Length, Connection, Expect, Upgrade: HttpClient sets them itself and refuses them.
      }
    }
    // HTTP/1.1 only: over HTTP/2 the authority travels as :authority (from
    // the URI, connect_to's), and a Host beside it that disagrees is a
    // malformed request (nginx answers 400) that the driver would have caused.
    boolean http1 = "1.1".equals(request.get("http"));
    if (connectTo != null && !hostGiven && http1 && !target.getRawAuthority().equals(url.getRawAuthority())) {
      builder.header("Host", url.getRawAuthority());
    }
    return builder.build();
  }

  static Map<String, Object> describe(Throwable e) {
    List<Object> cause = new ArrayList<>();
    for (Throwable c = e.getCause(); c != null && c != e && cause.size() < 10; c = c.getCause()) {
      cause.add(c.getClass().getName() + ": " + c.getMessage());
    }
    return error(e.getClass().getName(), String.valueOf(e.getMessage()), cause);
  }

  static Map<String, Object> error(String type, String message, List<Object> cause) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", type);
    error.put("message", message);
    if (cause != null) {
      error.put("cause", cause);
    }
    return error;
  }

  /** Just enough JSON for the request file and the result. */
  static final class Json {
    private final String text;
    private int at;

    Json(String text) { this.text = text; }

    Object value() {
      skipSpace();
      char c = text.charAt(at);
      if (c == '{') return object();
      if (c == '[') return array();
      if (c == '"') return string();
      for (String word : new String[] {"true", "false", "null"}) {
        if (text.startsWith(word, at)) {
          at += word.length();
          return word.equals("null") ? null : Boolean.valueOf(word);
        }
      }
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
      if (start == at) throw new IllegalArgumentException("JSON: unexpected '" + c + "' at " + at);
      return Double.valueOf(text.substring(start, at));
    }

    private Map<String, Object> object() {
      Map<String, Object> map = new LinkedHashMap<>();
      at++;
      skipSpace();
      if (text.charAt(at) == '}') { at++; return map; }
      while (true) {
        skipSpace();
        String key = string();
        skipSpace();
        expect(':');
        map.put(key, value());
        skipSpace();
        if (text.charAt(at++) == '}') return map;
      }
    }

    private List<Object> array() {
      List<Object> list = new ArrayList<>();
      at++;
      skipSpace();
      if (text.charAt(at) == ']') { at++; return list; }
      while (true) {
        list.add(value());
        skipSpace();
        if (text.charAt(at++) == ']') return list;
      }
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      for (char c; (c = text.charAt(at++)) != '"';) {
        if (c != '\\') { out.append(c); continue; }
        char e = text.charAt(at++);
        switch (e) {
          case 'n': out.append('\n'); break;
          case 't': out.append('\t'); break;
          case 'r': out.append('\r'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
          default: out.append(e); // \" \\ \/
        }
      }
      return out.toString();
    }

    private void expect(char c) {
      if (text.charAt(at++) != c) throw new IllegalArgumentException("JSON: expected '" + c + "' at " + (at - 1));
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    static String write(Object value) {
      if (value == null) return "null";
      if (value instanceof String) return quote((String) value);
      if (value instanceof Number || value instanceof Boolean) return value.toString();
      StringBuilder out = new StringBuilder();
      if (value instanceof Map) {
        out.append('{');
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          if (out.length() > 1) out.append(", ");
          out.append(quote((String) entry.getKey())).append(": ").append(write(entry.getValue()));
        }
        return out.append('}').toString();
      }
      out.append('[');
      for (Object item : (List<?>) value) {
        if (out.length() > 1) out.append(", ");
        out.append(write(item));
      }
      return out.append(']').toString();
    }

    private static String quote(String s) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') out.append('\\').append(c);
        else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
        else out.append(c);
      }
      return out.append('"').toString();
    }
  }
}
