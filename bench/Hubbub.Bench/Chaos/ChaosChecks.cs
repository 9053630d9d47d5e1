using System.Diagnostics;
using System.Text.Json;
using Hubbub.Bench.Infra;
using Npgsql;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// Compares what the clients were told (<see cref="ChaosLoad"/>'s ledger) with the database, the subscribers, the
/// lobby's presence, the wallet's own check and every node's readiness; each check is repeated until it holds or
/// the settle bound passes (eventual: a dead node's presence may take up to about 1⅓ × its TTL to go).
/// </summary>
internal sealed class ChaosChecks(ChaosCluster cluster, ChaosLoad load, IReadOnlyList<ChaosWatcher> watchers) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Checks until everything holds or <paramref name="bound"/> passes; the load must be paused.</summary>
    public async Task<FaultResult> RunAsync(string fault, int round, long faultEndedAt, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        FaultResult result;
        while (true)
        {
            result = new FaultResult { Fault = fault, Round = round };
            try
            {
                await CheckOnceAsync(result, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or TaskCanceledException or JsonException
                                       or InvalidOperationException or KeyNotFoundException && !cancellationToken.IsCancellationRequested)
            {
                result.Notes.Add($"check failed: {ex.GetType().Name}: {ex.Message}");
                result.AllReady = false;
            }
            if (result.Clean || clock.Elapsed > bound)
            {
                break;
            }
            await Task.Delay(500, cancellationToken);
        }
        result.Converged = Stopwatch.GetElapsedTime(faultEndedAt);
        result.Unresolved = load.Unresolved.Count;
        return result;
    }

    private async Task CheckOnceAsync(FaultResult result, CancellationToken cancellationToken)
    {
        var ready = 0;
        foreach (var node in cluster.Nodes)
        {
            ready += await node.IsReadyAsync(_http, cancellationToken) ? 1 : 0;
        }
        result.AllReady = ready == cluster.Nodes.Count;
        if (!result.AllReady)
        {
            result.Notes.Add($"{cluster.Nodes.Count - ready} node(s) not ready");
        }

        await using var db = new NpgsqlConnection(cluster.Postgres.ConnectionString);
        await db.OpenAsync(cancellationToken);
        CheckMessages(result, await CountAsync<string>(db, "SELECT client_id, count(*) FROM chat_messages WHERE conversation_id = @id AND client_id IS NOT NULL GROUP BY client_id",
            long.Parse(cluster.Conversation, System.Globalization.CultureInfo.InvariantCulture), cancellationToken));
        CheckBids(result, await CountAsync<long>(db, "SELECT amount, count(*) FROM auction_bids WHERE auction_id = @id GROUP BY amount", cluster.Auction,
            cancellationToken));
        await CheckVisitsAsync(result, db, cancellationToken);
        CheckDeliveries(result);
        await CheckPresenceAsync(result, cancellationToken);
        await CheckWalletAsync(result, cancellationToken);
        result.Unexpected = load.Unexpected.Count;
        if (result.Unexpected > 0)
        {
            result.Notes.Add("unexpected answers: " + string.Join("; ", load.Unexpected.Take(3)));
        }
    }

    private static async Task<Dictionary<TKey, long>> CountAsync<TKey>(NpgsqlConnection db, string sql, object id, CancellationToken cancellationToken)
        where TKey : notnull
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<TKey, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetFieldValue<TKey>(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    private void CheckMessages(FaultResult result, Dictionary<string, long> stored)
    {
        result.MessagesAcked = load.AckedMessages.Count;
        result.MessagesLost = load.AckedMessages.Keys.Count(id => !stored.ContainsKey(id));
        result.MessagesDuplicated = stored.Values.Count(n => n > 1);
        if (result.MessagesLost + result.MessagesDuplicated > 0)
        {
            result.Notes.Add($"messages: {result.MessagesLost} acknowledged but not stored, {result.MessagesDuplicated} stored twice");
        }
    }

    private void CheckBids(FaultResult result, Dictionary<long, long> stored)
    {
        result.BidsAcked = load.AckedBids.Count;
        result.BidsLost = load.AckedBids.Keys.Count(a => !stored.ContainsKey(a));
        var refusedButStored = load.RefusedBids.Keys.Count(stored.ContainsKey);
        result.BidsWrong = stored.Values.Count(n => n > 1) + refusedButStored;
        if (result.BidsLost + result.BidsWrong > 0)
        {
            result.Notes.Add($"bids: {result.BidsLost} acknowledged but not stored, {result.BidsWrong - refusedButStored} stored twice, {refusedButStored} stored though refused");
        }
    }

    private async Task CheckVisitsAsync(FaultResult result, NpgsqlConnection db, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT user_id, count(*), count(checked_out_ms) FROM venue_visits WHERE venue_id = @id GROUP BY user_id", db);
        command.Parameters.AddWithValue("id", cluster.Venue);
        var visits = new Dictionary<string, (long In, long Out)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                visits[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }
        }
        result.CheckInsAndOuts = load.Members.Sum(m => m.CheckIns + m.CheckOuts);
        foreach (var member in load.Members)
        {
            var (checkIns, checkOuts) = visits.GetValueOrDefault(member.User);
            var wrong = (int)(Math.Abs(checkIns - member.CheckIns) + Math.Abs(checkOuts - member.CheckOuts));
            if (wrong > 0 && !member.Uncertain)
            {
                result.CheckInsWrong += wrong;
                result.Notes.Add($"{member.User}: {checkIns} check-ins / {checkOuts} check-outs stored, the client made {member.CheckIns} / {member.CheckOuts}");
            }
        }
    }

    private void CheckDeliveries(FaultResult result)
    {
        foreach (var watcher in watchers)
        {
            foreach (var (clientId, ackedAt) in load.AckedMessages)
            {
                var (seen, declared) = watcher.Status(clientId, ackedAt);
                if (!seen)
                {
                    if (declared)
                    {
                        result.DeliveriesDeclared++;
                    }
                    else
                    {
                        result.DeliveriesMissing++;
                    }
                }
            }
            result.DeliveriesDuplicated += watcher.Duplicates;
            result.DeliveriesRepublished += watcher.Republished;
        }
        if (result.DeliveriesRepublished > 0)
        {
            result.Notes.Add($"deliveries: {result.DeliveriesRepublished} (watcher, message) pairs delivered again under a new offset (the outbox's at-least-once: a node died, or was stopped past its lease, between publishing and marking done)");
        }
        if (result.DeliveriesMissing + result.DeliveriesDuplicated > 0)
        {
            result.Notes.Add($"deliveries: {result.DeliveriesMissing} missing without recovered:false, {result.DeliveriesDuplicated} duplicated");
        }
    }

    private async Task CheckPresenceAsync(FaultResult result, CancellationToken cancellationToken)
    {
        var expected = watchers.Where(w => w.Live).Select(w => w.User).Order().ToList();
        using var json = await GetJsonAsync($"/api/admin/channels/{cluster.Lobby}", cancellationToken);
        var present = json.RootElement.GetProperty("presence").EnumerateArray().Select(p => p.GetProperty("user").GetString()!).Order().ToList();
        result.PresenceOk = expected.Count == watchers.Count && expected.SequenceEqual(present);
        if (!result.PresenceOk)
        {
            result.Notes.Add($"presence [{string.Join(",", present)}], connected [{string.Join(",", expected)}]");
        }
    }

    private async Task CheckWalletAsync(FaultResult result, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using (var check = await GetJsonAsync("/api/wallet/check", cancellationToken))
        {
            if (!check.RootElement.GetProperty("ok").GetBoolean())
            {
                problems.Add($"wallet check: {check.RootElement}");
            }
        }
        using (var auction = await GetJsonAsync($"/api/auctions/{cluster.Auction}", cancellationToken))
        {
            var a = auction.RootElement;
            var price = a.GetProperty("price").ValueKind == JsonValueKind.Number ? a.GetProperty("price").GetInt64() : 0;
            var leader = a.GetProperty("leader").ValueKind == JsonValueKind.String ? a.GetProperty("leader").GetString() : null;
            var highestAcked = load.AckedBids.IsEmpty ? 0 : load.AckedBids.Keys.Max();
            if (price < highestAcked)
            {
                problems.Add($"auction price {price} below the highest acknowledged bid {highestAcked}");
            }
            for (var b = 0; b < cluster.Settings.WorkersPerKind; b++)
            {
                var bidder = ChaosLoad.Bidder(b);
                using var wallet = await GetJsonAsync($"/api/wallet?user={bidder}", cancellationToken);
                var held = wallet.RootElement.GetProperty("held").TryGetProperty("coins", out var h) ? h.GetInt64() : 0;
                var expected = bidder == leader ? price : 0;
                if (held != expected)
                {
                    problems.Add($"{bidder} holds {held}, not {expected}");
                }
            }
        }
        result.WalletOk = problems.Count == 0;
        result.Notes.AddRange(problems);
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        // Any ready node answers for the cluster; the first that does is asked.
        Exception? last = null;
        foreach (var node in cluster.Nodes)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{node.BaseUrl}{path}");
                request.Headers.Add("X-Api-Key", ServerProcess.ApiKey);
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                }
                last = new HttpRequestException($"{node.Name} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }
        }
        throw last ?? new HttpRequestException("no node");
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
