// The go-control-plane peer of bench:propagation: the reference Go xDS server (its
// snapshot cache and ADS server, as inside Envoy Gateway and many meshes) serving the
// resources Amime served, read from the bench's capture file, to the same load client.
//
// Protocol with the bench (one JSON object per line): it prints {"port":N} once it
// listens; it reads {"change":R} (every node's round-R route configurations become its
// snapshot; printed back as {"changed":R}) and {"exit":true}.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// One record of the capture file (bench/propagation/capture.ts).
type captured struct {
	node, typeURL string
	round         uint32
	response      []byte
}

func readCapture(file string) ([]captured, error) {
	buf, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []captured
	o := 0
	str := func() string {
		n := int(binary.BigEndian.Uint16(buf[o:]))
		o += 2 + n
		return string(buf[o-n : o])
	}
	for o < len(buf) {
		node := str()
		typeURL := str()
		round := binary.BigEndian.Uint32(buf[o:])
		n := int(binary.BigEndian.Uint32(buf[o+4:]))
		o += 8
		out = append(out, captured{node, typeURL, round, buf[o : o+n]})
		o += n
	}
	return out, nil
}

// The resources of a captured DiscoveryResponse, as go-control-plane's typed messages.
func resourcesOf(response []byte) ([]types.Resource, error) {
	var r discovery.DiscoveryResponse
	if err := proto.Unmarshal(response, &r); err != nil {
		return nil, err
	}
	out := make([]types.Resource, 0, len(r.Resources))
	for _, a := range r.Resources {
		m, err := a.UnmarshalNew()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

var typeOf = map[string]types.ResponseType{
	resource.ClusterType:  types.Cluster,
	resource.EndpointType: types.Endpoint,
	resource.ListenerType: types.Listener,
	resource.RouteType:    types.Route,
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go-control-plane-peer <capture file>")
	}
	records, err := readCapture(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	// The last initial response of each type per node, and each round's route configurations.
	initial := map[string]map[string][]byte{}
	rounds := map[uint32]map[string][]byte{}
	for _, c := range records {
		if c.round == 0 {
			if initial[c.node] == nil {
				initial[c.node] = map[string][]byte{}
			}
			initial[c.node][c.typeURL] = c.response
		} else {
			if rounds[c.round] == nil {
				rounds[c.round] = map[string][]byte{}
			}
			rounds[c.round][c.node] = c.response
		}
	}
	snapshots := map[string]*cache.Snapshot{}
	for node, byType := range initial {
		s := &cache.Snapshot{}
		for url, body := range byType {
			items, err := resourcesOf(body)
			if err != nil {
				log.Fatalf("%s %s: %v", node, url, err)
			}
			s.Resources[typeOf[url]] = cache.NewResources("0", items)
		}
		snapshots[node] = s
	}
	ctx := context.Background()
	snapshotCache := cache.NewSnapshotCache(true, cache.IDHash{}, nil)
	for node, s := range snapshots {
		if err := snapshotCache.SetSnapshot(ctx, node, s); err != nil {
			log.Fatal(err)
		}
	}
	grpcServer := grpc.NewServer(grpc.MaxConcurrentStreams(1 << 20))
	discovery.RegisterAggregatedDiscoveryServiceServer(grpcServer, server.NewServer(ctx, snapshotCache, nil))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		if err := grpcServer.Serve(lis); err != nil {
			log.Fatal(err)
		}
	}()
	fmt.Printf("{\"port\":%d}\n", lis.Addr().(*net.TCPAddr).Port)

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var cmd struct {
			Change uint32 `json:"change"`
			Exit   bool   `json:"exit"`
		}
		if err := json.Unmarshal(in.Bytes(), &cmd); err != nil {
			log.Fatal(err)
		}
		if cmd.Exit {
			break
		}
		version := strconv.Itoa(int(cmd.Change))
		for node, body := range rounds[cmd.Change] {
			items, err := resourcesOf(body)
			if err != nil {
				log.Fatal(err)
			}
			// Only the route configurations change: the other types keep their version, so
			// go-control-plane sends nothing else, as Amime does.
			next := *snapshots[node]
			next.Resources[types.Route] = cache.NewResources(version, items)
			snapshots[node] = &next
			if err := snapshotCache.SetSnapshot(ctx, node, &next); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("{\"changed\":%d}\n", cmd.Change)
	}
	grpcServer.Stop()
}
