using System.Text;
using CsCheck;

namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// Random client WebSocket frames and runs of frames: any opcode (reserved ones too), FIN and RSV bits, masked or
/// not, the length in any of its three forms, and payloads that are valid commands, commands with invalid UTF-8
/// spliced in, random bytes, close payloads (any status code, 1-byte), or one byte over the 64 KiB frame limit.
/// One to four frames per case, so fragmentation (continuations without a start, a new message inside an
/// unfinished one, control frames between fragments) comes up as often as single frames.
/// </summary>
internal static class FrameGen
{
    /// <summary>One frame as sent.</summary>
    internal sealed record Part(bool Fin, int Rsv, int Opcode, bool Masked, int LengthForm, byte[] Payload)
    {
        private static readonly byte[] Mask = [0xa1, 0x02, 0x5c, 0xe7];

        public byte[] Render() => RawWebSocket.Frame(Fin, Rsv, Opcode, Masked ? Mask : null, Payload, LengthForm);

        public override string ToString() =>
            $"[op {Opcode}{(Fin ? " fin" : "")}{(Rsv != 0 ? $" rsv {Rsv}" : "")}{(Masked ? "" : " unmasked")} len-form {LengthForm} "
            + $"{Payload.Length} B: {Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 48)))}{(Payload.Length > 48 ? "…" : "")}]";
    }

    /// <summary>A run of frames sent in one write.</summary>
    internal sealed record Case(Part[] Parts)
    {
        /// <summary>The client itself asked to close (the server may then just answer the close).</summary>
        public bool SendsClose => Parts.Any(p => p.Opcode == 8);

        public byte[] Render() => [.. Parts.SelectMany(p => p.Render())];

        public override string ToString() => string.Join(" ", Parts.Select(p => p.ToString()));
    }

    private static readonly string[] Commands =
    [
        """{"type":"ping","id":1}""",
        """{"type":"subscribe","id":2,"data":{"channel":"public:fuzz"}}""",
        """{"type":"publish","id":3,"data":{"channel":"public:fuzz","data":{"text":"é✓"}}}""",
        """{"type":"history","id":4,"data":{"channel":"public:fuzz","limit":3}}""",
        """{"type":"chat.send","id":5,"data":{"conversation":"1","text":"hi"}}""",
        """{"type":"presence","id":6,"data":{"channel":"public:fuzz"}}""",
    ];

    private static readonly byte[][] BadUtf8 =
    [
        [0xff], [0xc3, 0x28], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80],
    ];

    private static readonly Gen<byte[]> Command = Gen.OneOf(Commands.Select(c => Gen.Const(Encoding.UTF8.GetBytes(c))).ToArray());

    private static readonly Gen<byte[]> InvalidUtf8 = Gen.Select(Command, Gen.Int[0, 80], Gen.OneOf(BadUtf8.Select(Gen.Const).ToArray()),
        (command, at, bad) => (byte[])[.. command.AsSpan(0, Math.Min(at, command.Length)), .. bad, .. command.AsSpan(Math.Min(at, command.Length))]);

    private static readonly Gen<byte[]> ClosePayload = Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, 5000], Gen.String[0, 20], (code, reason) => (byte[])[(byte)(code >> 8), (byte)code, .. Encoding.UTF8.GetBytes(reason)])),
        (1, Gen.Byte.Select(b => new[] { b })));

    private static readonly Gen<byte[]> Payload = Gen.Frequency(
        (4, Command),
        (3, InvalidUtf8),
        (3, Gen.Byte.Array[0, 300]),
        (1, ClosePayload),
        (1, Gen.Const(Array.Empty<byte>())),
        (1, Gen.Int[65_537, 66_000].Select(n => Enumerable.Repeat((byte)'a', n).ToArray())));

    private static readonly Gen<int> Opcode = Gen.Frequency(
        (6, Gen.Const(1)), (2, Gen.Const(2)), (2, Gen.Const(0)), (1, Gen.Const(8)), (1, Gen.Const(9)), (1, Gen.Const(10)),
        (1, Gen.Int[3, 7]), (1, Gen.Int[11, 15]));

    private static readonly Gen<Part> OnePart = Gen.Select(
        Gen.Select(Gen.Frequency((5, Gen.Const(true)), (1, Gen.Const(false))), Gen.Frequency((8, Gen.Const(0)), (1, Gen.Int[1, 7])), Opcode,
            (fin, rsv, opcode) => (fin, rsv, opcode)),
        Gen.Select(Gen.Frequency((9, Gen.Const(true)), (1, Gen.Const(false))), Gen.Int[0, 2], Payload, (masked, form, payload) => (masked, form, payload)),
        (a, b) => new Part(a.fin, a.rsv, a.opcode, b.masked, b.form, b.payload));

    /// <summary>One to four frames.</summary>
    public static readonly Gen<Case> Cases = OnePart.Array[1, 4].Select(parts => new Case(parts));
}
